package io.quokka.scheduler.memory;

import io.quokka.engine.KvCacheType;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.TensorInfo;

/**
 * What a runner makes resident for one model, in bytes, from the GGUF header and the load options alone. Each term
 * was measured as runner RSS on generated models (llama.cpp b4916, CPU, 2 threads; see {@code docs/memory.md}), and
 * re-measured on v0.5.0, which differs in the terms of its {@link Calibration}:
 *
 * <ul>
 *   <li><b>weights</b>: the sum of the tensor sizes (a mixture of experts' stacked 3-D expert tensors included:
 *       every expert is loaded, whichever are used). Mapped or read, llama.cpp touches all of them while loading
 *       ({@code MAP_POPULATE}), so they are resident from the start. Plus the Q4_0 matrices the CPU backend
 *       repacks, which are resident twice ({@link WeightRepacking}).</li>
 *   <li><b>KV cache</b>: per layer, {@code n_ctx × (n_head_kv(layer) × (head_dim_k + head_dim_v))} elements of the
 *       cache type; llama.cpp clears the buffer at load, so it is resident at once. The cache type falls back to
 *       f16 unless flash attention is on and the head size is a multiple of 32, as the runner does.</li>
 *   <li><b>compute</b>: llama.cpp's graph buffers, touched by the first prompt batch that reaches the end of the
 *       context. Without flash attention the attention scores dominate: an f32 {@code n_kv × n_batch × n_head}
 *       matrix, its f16 copy in the CPU backend's work buffer and the f32 {@code n_kv × n_batch} mask, i.e.
 *       {@code (6 × n_head + 4) × n_ctx × n_batch} bytes; plus activations. Fitted over 9 shapes (max error 4% of
 *       the compute term except one small-batch shape at 14%): {@code 1.65 MB + 6·n_ctx·n_batch·n_head +
 *       4·n_ctx·n_batch + 1.13·n_batch·n_embd + 4.66·n_batch·n_ff} (6.5 at v0.5.0). For a mixture of experts {@code n_ff} is the
 *       width a token passes through ({@link #activeFeedForwardLength}), not {@code feed_forward_length}. With flash attention the score matrix is never
 *       materialised; the f32 mask and its f16 cast remain ({@code 6·n_ctx·n_batch}); measured on 4 shapes, this
 *       under-reads the compute term by up to 5.6 MB, under 3% of those runners' totals.</li>
 *   <li><b>runtime</b>: the runner process itself (lean JVM, libjllama, the vocabulary's tables):
 *       {@code 89.1 MB + 196 B × n_vocab} at b4916 (fit residuals under 0.5 MB); {@code 66.0 MB + 150 B × n_vocab}
 *       at v0.5.0.</li>
 * </ul>
 *
 * @param weights       tensor data
 * @param kvCache       the KV cache at {@code contextLength}
 * @param compute       compute buffers at {@code contextLength} and {@code batch}
 * @param runtime       the runner process's own footprint
 * @param contextLength the context (tokens, all slots) the estimate is for
 * @param batch         the effective batch ({@code min(num_batch, n_ctx)})
 * @param kvCacheType   the cache type the runner will really use
 */
public record MemoryEstimate(long weights, long kvCache, long compute, long runtime, int contextLength, int batch,
                             KvCacheType kvCacheType) {

    /**
     * What differs between the engines, measured on each (docs/memory.md): the runner's own footprint, the
     * feed-forward activations, and the KV cache's padding.
     *
     * @param runtimeBase     runner JVM, the llama.cpp libraries and their fixed allocations
     * @param runtimePerToken per vocabulary entry (llama.cpp's token tables)
     * @param perFf           compute: bytes per n_batch × n_ff (feed-forward activations and their quantized copies)
     * @param ctxPad          cells the KV cache is rounded up to without flash attention (256 with it, on both)
     */
    public record Calibration(String engine, long runtimeBase, long runtimePerToken, double perFf, int ctxPad) {
        /** llama.cpp b4916 (de.kherud:llama): fitted over 9 shapes, residuals under 0.5 MB (runtime), 4% (compute). */
        public static final Calibration B4916 = new Calibration("b4916", 89_100_000L, 196, 4.66, 32);
        /**
         * llama.cpp v0.5.0: its runner is ~23 MB smaller (no libgomp, smaller libraries mapped, the CPU backend
         * chosen at run time); fitted over 7 shapes, every estimate within 8% of the runner's RSS after load and
         * after filling the context. It pads the KV cache to 256 cells always.
         */
        public static final Calibration V050 = new Calibration("v0.5.0", 66_000_000L, 150, 6.5, 256);

        /** The calibration for an engine release ({@code b4916} or {@code v0.5.0}); the current one otherwise. */
        public static Calibration forRelease(String release) {
            return B4916.engine.equals(release) ? B4916 : V050;
        }
    }
    /** Compute: fixed part (work buffers, sampler, runner heap growth while generating). */
    static final long COMPUTE_BASE = 1_650_000L;
    /** Compute, no flash attention: bytes per n_ctx × n_batch × n_head (f32 scores + their f16 copy). */
    static final double SCORES = 6.0;
    /** Compute, no flash attention: bytes per n_ctx × n_batch (the f32 mask). */
    static final double MASK = 4.0;
    /** Compute, flash attention: bytes per n_ctx × n_batch (the f32 mask and its f16 cast; no score matrix). */
    static final double MASK_FLASH = 6.0;
    /** Compute: bytes per n_batch × n_embd (activations). */
    static final double PER_EMBD = 1.13;

    public long total() {
        return weights + kvCache + compute + runtime;
    }

    /** The estimate for loading {@code gguf} on llama.cpp v0.5.0 ({@link Calibration#V050}). */
    public static MemoryEstimate of(GgufFile gguf, int numCtx, int numBatch, KvCacheType requestedKv,
                                    boolean flashAttention) {
        return of(gguf, numCtx, numBatch, requestedKv, flashAttention, Calibration.V050);
    }

    /** The estimate for loading {@code gguf} with these options ({@code numCtx} summed over all slots) on an engine. */
    public static MemoryEstimate of(GgufFile gguf, int numCtx, int numBatch, KvCacheType requestedKv,
                                    boolean flashAttention, Calibration engine) {
        // llama.cpp pads n_ctx to the KV padding (256 with flash attention; b4916: else 32) and caps n_batch at n_ctx.
        int pad = flashAttention ? 256 : engine.ctxPad();
        long ctx = ((long) numCtx + pad - 1) / pad * pad;
        long batch = Math.min(numBatch, ctx);
        long headDimK = gguf.keyLength();
        long headDimV = gguf.valueLength();
        KvCacheType kv = requestedKv;
        if (kv != KvCacheType.F16 && (!flashAttention || headDimK % 32 != 0)) kv = KvCacheType.F16;

        long kvElements = 0;
        for (long heads : gguf.headCountKvPerLayer()) kvElements += ctx * heads * (headDimK + headDimV);
        long kvBytes = (long) Math.ceil(kvElements * kv.bytesPerElement);

        double perPosition = flashAttention ? MASK_FLASH : SCORES * gguf.headCount() + MASK;
        long compute = COMPUTE_BASE + (long) (perPosition * ctx * batch + PER_EMBD * batch * gguf.embeddingLength()
                + engine.perFf() * batch * activeFeedForwardLength(gguf));
        long runtime = engine.runtimeBase() + engine.runtimePerToken() * gguf.vocabSize();
        return new MemoryEstimate(gguf.weightsBytes() + WeightRepacking.repackedBytes(gguf), kvBytes, compute, runtime, (int) Math.min(Integer.MAX_VALUE, ctx),
                (int) batch, kv);
    }

    /**
     * The feed-forward width one token's activations pass through: {@code feed_forward_length} for a dense model;
     * for a mixture of experts, the experts used per token times an expert's width, plus a shared expert's width
     * ({@code expert_shared_feed_forward_length}). An expert's width is the rows of its stacked {@code ffn_up_exps}
     * tensor (ggml dims [n_embd, n_ff_exp, n_expert]), which holds whether the file names it in
     * {@code expert_feed_forward_length} (qwen3moe, qwen2moe) or in {@code feed_forward_length} (llama's Mixtral);
     * without such a tensor, {@code expert_feed_forward_length}, else {@code feed_forward_length / expert_used_count}
     * (llama.cpp's fallback for qwen3moe). The router's {@code n_expert} logits per token are not counted.
     */
    static long activeFeedForwardLength(GgufFile gguf) {
        long used = gguf.expertUsedCount();
        if (gguf.expertCount() == 0 || used == 0) return gguf.feedForwardLength();
        long expert = 0;
        for (TensorInfo t : gguf.tensors()) {
            if (t.name().endsWith(".ffn_up_exps.weight") && t.dims().size() == 3) {
                expert = Math.max(expert, t.dims().get(1));
            }
        }
        if (expert == 0) expert = gguf.expertFeedForwardLength();
        if (expert == 0) expert = gguf.feedForwardLength() / used;
        return used * expert + gguf.expertSharedFeedForwardLength();
    }

    @Override
    public String toString() {
        return "%s (weights %s, kv cache %s, compute %s, runtime %s; ctx %d, batch %d, kv %s)".formatted(
                ByteSize.human(total()), ByteSize.human(weights), ByteSize.human(kvCache), ByteSize.human(compute),
                ByteSize.human(runtime), contextLength, batch, kvCacheType.name().toLowerCase(java.util.Locale.ROOT));
    }
}
