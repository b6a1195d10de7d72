package io.quokka.toy;

import io.quokka.gguf.GgufArray;
import io.quokka.gguf.GgufWriter;
import io.quokka.gguf.Quants;
import io.quokka.gguf.TensorType;
import io.quokka.gguf.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Generates llama-architecture (or qwen2, qwen3, qwen3moe) GGUF models with seeded random weights: test fixtures, and a way for users to try
 * Quokka without downloading anything. The output is garbage text, but llama.cpp loads and runs it like any model.
 *
 * <p>So that even random models emit readable text, one embedding dimension (0) carries a constant that the
 * layers never see (the attention and FFN norms zero it, their output projections never write it), and the
 * output layer uses it to push unk, the byte tokens and all control tokens far down. Without it, the 256 byte
 * tokens would dominate a small vocabulary and random output would be invalid UTF-8. A toy model therefore never
 * ends a generation by itself (no end-of-sequence token): it runs to num_predict or a stop string.
 *
 * <p>A qwen3moe model replaces each layer's feed-forward tensors with a router {@code ffn_gate_inp} (F32, ggml dims
 * [n_embd, n_expert], as quantizers leave it) and three stacks of experts in ggml order, one slice per expert along
 * the last dimension: {@code ffn_gate_exps} and {@code ffn_up_exps} [n_embd, n_ff_exp, n_expert], {@code
 * ffn_down_exps} [n_ff_exp, n_embd, n_expert], of the weight type (quantized blocks run along the first dimension,
 * as for every matrix). Every expert's down projection leaves the constant dimension alone.
 */
public final class ToyModel {
    private static final float EMBD_CONSTANT = 2f;
    private static final float SUPPRESS = -30f;
    private static final float TIED_CONSTANT = 6f;
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private ToyModel() {}

    /** Writes the model described by {@code spec} to {@code path} (replacing it). */
    public static void write(ToyModelSpec spec, Path path) throws IOException {
        writer(spec).write(path);
    }

    /** A writer holding the whole toy model, for callers that want to add metadata before writing. */
    public static GgufWriter writer(ToyModelSpec spec) {
        ToyVocab vocab = ToyVocab.build(spec);
        int embd = spec.embeddingLength();
        int ff = spec.feedForwardLength();
        int vocabSize = spec.vocabSize();
        int kvDim = spec.headDim() * spec.headCountKv();

        GgufWriter w = new GgufWriter();
        String arch = spec.variant().architecture();
        w.put("general.architecture", arch);
        w.put("general.name", spec.name());
        w.put("general.file_type", ValueType.UINT32, spec.fileType().id());
        w.put(arch + ".context_length", ValueType.UINT32, spec.contextLength());
        w.put(arch + ".embedding_length", ValueType.UINT32, embd);
        w.put(arch + ".block_count", ValueType.UINT32, spec.blockCount());
        if (spec.isMoe()) {
            int experts = spec.variant().expertCount();
            int used = spec.variant().expertUsedCount();
            // what llama.cpp reads for a qwen3moe: each expert's width, how many experts and how many per token; the
            // dense width is informational (Qwen3's MoE releases record the used experts' combined width there)
            w.put(arch + ".feed_forward_length", ValueType.UINT32, used * ff);
            w.put(arch + ".expert_feed_forward_length", ValueType.UINT32, ff);
            w.put(arch + ".expert_count", ValueType.UINT32, experts);
            w.put(arch + ".expert_used_count", ValueType.UINT32, used);
        } else {
            w.put(arch + ".feed_forward_length", ValueType.UINT32, ff);
        }
        w.put(arch + ".attention.head_count", ValueType.UINT32, spec.headCount());
        w.put(arch + ".attention.head_count_kv", ValueType.UINT32, spec.headCountKv());
        if (arch.equals("llama")) {
            w.put(arch + ".rope.dimension_count", ValueType.UINT32, spec.headDim());
        }
        w.put(arch + ".attention.layer_norm_rms_epsilon", ValueType.FLOAT32, 1e-5f);
        w.put(arch + ".rope.freq_base", ValueType.FLOAT32, 10000f);
        if (arch.equals("llama")) {
            w.put(arch + ".vocab_size", ValueType.UINT32, vocabSize);
        }

        boolean bpe = vocab.merges() != null;
        w.put("tokenizer.ggml.model", bpe ? "gpt2" : "llama");
        if (bpe && spec.variant().preTokenizer() != null) {
            w.put("tokenizer.ggml.pre", spec.variant().preTokenizer());
        }
        w.put("tokenizer.ggml.tokens", GgufArray.ofStrings(vocab.tokens()));
        if (vocab.scores() != null) {
            w.put("tokenizer.ggml.scores", GgufArray.ofFloats(vocab.scores()));
        }
        w.put("tokenizer.ggml.token_type", GgufArray.ofInts(vocab.types()));
        if (bpe) {
            w.put("tokenizer.ggml.merges", GgufArray.ofStrings(vocab.merges()));
        }
        w.put("tokenizer.ggml.bos_token_id", ValueType.UINT32, vocab.bos());
        w.put("tokenizer.ggml.eos_token_id", ValueType.UINT32, vocab.eos());
        if (vocab.unk() >= 0) {
            w.put("tokenizer.ggml.unknown_token_id", ValueType.UINT32, vocab.unk());
        }
        if (vocab.eot() >= 0) {
            w.put("tokenizer.ggml.eot_token_id", ValueType.UINT32, vocab.eot());
        }
        // BPE models (Qwen) mostly add no bos; Llama 3 does, which its template's <|begin_of_text|> makes visible
        w.put("tokenizer.ggml.add_bos_token", !bpe || vocab.tokens().get(vocab.bos()).equals("<|begin_of_text|>"));
        w.put("tokenizer.ggml.add_eos_token", false);
        if (spec.chatTemplate() != null) {
            w.put("tokenizer.chat_template", spec.chatTemplate());
        }

        SplittableRandom root = new SplittableRandom(spec.seed());
        TensorType wt = spec.weightType();
        float embdScale = 1f;
        float projScale = (float) Math.sqrt(3.0 / embd);     // uniform with variance 1/fan_in
        float downScale = (float) Math.sqrt(3.0 / ff);
        float outScale = 2 * projScale;                       // sharper logits: greedy output is not a coin toss

        TensorType et = spec.embeddingType();
        boolean tied = spec.variant().tiedEmbeddings();
        // Tied: the same rows are the output layer, so the constant dimension does the suppressing itself: it is
        // TIED_CONSTANT for tokens that may be generated, 0 for suppressed ones (and large for a favoured one).
        w.addTensor("token_embd.weight", et, dims(embd, vocabSize), matrix(et, embd, vocabSize, root.split(),
                (row, r) -> fill(r, row, embdScale, 0, row.length, !tied ? EMBD_CONSTANT
                        : (int) r.index == vocab.favoured() ? 4 * TIED_CONSTANT
                        : vocab.suppressed((int) r.index) ? 0f : TIED_CONSTANT)));
        for (int layer = 0; layer < spec.blockCount(); layer++) {
            String p = "blk." + layer + ".";
            w.addTensor(p + "attn_norm.weight", TensorType.F32, dims(embd), layerNorm(embd));
            w.addTensor(p + "attn_q.weight", wt, dims(embd, embd), random(wt, embd, embd, root.split(), projScale, 0));
            w.addTensor(p + "attn_k.weight", wt, dims(embd, kvDim), random(wt, embd, kvDim, root.split(), projScale, 0));
            w.addTensor(p + "attn_v.weight", wt, dims(embd, kvDim), random(wt, embd, kvDim, root.split(), projScale, 0));
            if (arch.equals("qwen2")) {
                w.addTensor(p + "attn_q.bias", TensorType.F32, dims(embd), bias(embd, root.split()));
                w.addTensor(p + "attn_k.bias", TensorType.F32, dims(kvDim), bias(kvDim, root.split()));
                w.addTensor(p + "attn_v.bias", TensorType.F32, dims(kvDim), bias(kvDim, root.split()));
            }
            if (arch.equals("qwen3") || arch.equals("qwen3moe")) {
                // per-head RMS norms of q and k, applied before rope; ones keep the toy's behaviour predictable
                w.addTensor(p + "attn_q_norm.weight", TensorType.F32, dims(spec.headDim()), constant(spec.headDim(), 1f));
                w.addTensor(p + "attn_k_norm.weight", TensorType.F32, dims(spec.headDim()), constant(spec.headDim(), 1f));
            }
            w.addTensor(p + "attn_output.weight", wt, dims(embd, embd), random(wt, embd, embd, root.split(), projScale, embd));
            w.addTensor(p + "ffn_norm.weight", TensorType.F32, dims(embd), layerNorm(embd));
            if (spec.isMoe()) {
                int n = spec.variant().expertCount();
                // router logits: one row of n_embd per expert; sharper than a projection so routing differs by token
                w.addTensor(p + "ffn_gate_inp.weight", TensorType.F32, dims(embd, n),
                        random(TensorType.F32, embd, n, root.split(), 4 * projScale, 0));
                w.addTensor(p + "ffn_gate_exps.weight", wt, dims(embd, ff, n),
                        random(wt, embd, ff * n, root.split(), projScale, 0));
                // row e * n_embd of the stack is expert e's output dimension 0: zero, like ffn_down's row 0
                w.addTensor(p + "ffn_down_exps.weight", wt, dims(ff, embd, n),
                        random(wt, ff, embd * n, root.split(), downScale, embd));
                w.addTensor(p + "ffn_up_exps.weight", wt, dims(embd, ff, n),
                        random(wt, embd, ff * n, root.split(), projScale, 0));
            } else {
                w.addTensor(p + "ffn_gate.weight", wt, dims(embd, ff), random(wt, embd, ff, root.split(), projScale, 0));
                w.addTensor(p + "ffn_down.weight", wt, dims(ff, embd), random(wt, ff, embd, root.split(), downScale, embd));
                w.addTensor(p + "ffn_up.weight", wt, dims(embd, ff), random(wt, embd, ff, root.split(), projScale, 0));
            }
        }
        w.addTensor("output_norm.weight", TensorType.F32, dims(embd), constant(embd, 1f));
        if (!tied) {
            w.addTensor("output.weight", et, dims(embd, vocabSize), matrix(et, embd, vocabSize, root.split(),
                    (row, r) -> {
                        int token = (int) r.index;
                        fill(r, row, outScale, 1, row.length, 0f);
                        row[0] = token == vocab.favoured() ? -SUPPRESS : vocab.suppressed(token) ? SUPPRESS : 0f;
                    }));
        }
        return w;
    }

    /** Small random attention biases (qwen2). */
    private static GgufWriter.TensorData bias(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() - 0.5) * 0.2f;
        return rows(TensorType.F32, v);
    }

    private static long[] dims(long... d) {
        return d;
    }

    /** Norm weights: ones, except 0 on the constant dimension so no layer sees it. */
    private static GgufWriter.TensorData layerNorm(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        v[0] = 0f;
        return rows(TensorType.F32, v);
    }

    private static GgufWriter.TensorData constant(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return rows(TensorType.F32, v);
    }

    private static GgufWriter.TensorData rows(TensorType type, float[] values) {
        return out -> {
            ByteBuffer buf = ByteBuffer.allocate((int) type.byteSize(values.length)).order(ByteOrder.LITTLE_ENDIAN);
            Quants.encode(type, values, 0, values.length, buf);
            writeAll(out, buf.flip());
        };
    }

    /**
     * A random projection (or a stack of them, rows one after the other); with {@code zeroEvery} n > 0 rows 0, n, 2n,
     * ... are zero: with n the output width, no projection of the stack writes the constant dimension of the
     * residual stream.
     */
    private static GgufWriter.TensorData random(TensorType type, int cols, int rows, SplittableRandom rng,
                                                float scale, int zeroEvery) {
        return matrix(type, cols, rows, rng, (row, r) -> {
            if (zeroEvery > 0 && r.index % zeroEvery == 0) {
                java.util.Arrays.fill(row, 0f);
            } else {
                fill(r, row, scale, 0, row.length, Float.NaN);
            }
        });
    }

    /** Row cursor handed to row generators: which row, and the tensor's random stream. */
    private static final class RowState {
        final SplittableRandom rng;
        long index;

        RowState(SplittableRandom rng) {
            this.rng = rng;
        }
    }

    @FunctionalInterface
    private interface RowFiller {
        void fill(float[] row, RowState state);
    }

    /** Streams a rows x cols matrix (ggml dims [cols, rows]) generated row by row, in chunks of about 1M elements. */
    private static GgufWriter.TensorData matrix(TensorType type, int cols, int rows, SplittableRandom rng,
                                                RowFiller filler) {
        return out -> {
            int rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / cols);
            float[] chunk = new float[rowsPerChunk * cols];
            float[] row = new float[cols];
            ByteBuffer buf = ByteBuffer.allocate((int) type.byteSize((long) rowsPerChunk * cols))
                    .order(ByteOrder.LITTLE_ENDIAN);
            RowState state = new RowState(rng);
            for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
                int n = Math.min(rowsPerChunk, rows - r0);
                for (int i = 0; i < n; i++) {
                    state.index = r0 + i;
                    filler.fill(row, state);
                    System.arraycopy(row, 0, chunk, i * cols, cols);
                }
                buf.clear();
                Quants.encode(type, chunk, 0, n * cols, buf);
                writeAll(out, buf.flip());
            }
        };
    }

    /**
     * Uniform values in [-scale, scale) for row[from..to); if {@code first} is not NaN it replaces row[0]. Uses 24
     * random bits per value: cheap, and finer than any weight type here can store.
     */
    private static void fill(RowState state, float[] row, float scale, int from, int to, float first) {
        SplittableRandom r = state.rng;
        float k = scale / (1 << 23);
        for (int i = from; i < to; i++) {
            row[i] = (r.nextInt() >> 8) * k;
        }
        if (!Float.isNaN(first)) {
            row[0] = first;
        }
    }

    private static void writeAll(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
