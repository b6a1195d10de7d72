package io.quokka.runner;

import static io.quokka.runner.llamacpp.LlamaLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.engine.EngineException;
import io.quokka.runner.llamacpp.LlamaCpp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Embeddings on the runner's one context, on the generation thread, between generations. The context is created
 * with pooling NONE (llama.cpp's own MEAN pooling aborts the process at b4916), so each input is decoded on
 * sequence 0 with embedding output switched on, and its per-token embeddings are pooled here, as the GGUF's
 * {@code <arch>.pooling_type} says: MEAN, CLS (first token) or LAST; a model without one (a generative model) gets
 * its last token's embedding, which is what Ollama's runner returns for such models. The KV cache is cleared
 * after each input, so the {@link Slot} forgets its cached prefix.
 *
 * <p>Hazard: llama.cpp aborts when a non-causal model (BERT and kin) gets more tokens than {@code n_ubatch} in
 * one decode, so such models are limited to one batch per input.
 */
final class Embedder {
    /** How per-token embeddings become one vector. */
    enum Pooling {
        MEAN, CLS, LAST;

        /** From the GGUF value ({@code llama_pooling_type}: 0 none, 1 mean, 2 cls, 3 last, 4 rank). */
        static Pooling fromGguf(String value) {
            if (value == null) return LAST;
            return switch (value.trim()) {
                case "1" -> MEAN;
                case "2", "4" -> CLS; // rank (rerankers) pools the first token too
                default -> LAST;
            };
        }
    }

    static final String TOO_LONG = "the input length exceeds the context length";

    private final NativeModel m;
    private final LlamaCpp llama;
    private final RunnerLog log;
    final Pooling pooling;
    final boolean causal;
    final int nEmbd;
    private final int limit;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment batch, batchTokens, batchPos, batchLogits;

    Embedder(NativeModel m, RunnerLog log) {
        this.m = m;
        this.llama = m.llama;
        this.log = log;
        String arch = llama.modelMeta(m.model, "general.architecture");
        this.pooling = arch == null ? Pooling.LAST : Pooling.fromGguf(llama.modelMeta(m.model, arch + ".pooling_type"));
        String causalValue = arch == null ? null : llama.modelMeta(m.model, arch + ".attention.causal");
        this.causal = causalValue == null || !causalValue.trim().toLowerCase(Locale.ROOT).equals("false");
        this.nEmbd = llama.modelNEmbd(m.model);
        int window = m.nCtx / m.nSeqMax;
        this.limit = causal ? window : Math.min(window, m.nBatch);

        int cap = m.nBatch;
        batch = arena.allocate(BATCH);
        batchTokens = arena.allocate(JAVA_INT, cap);
        batchPos = arena.allocate(JAVA_INT, cap);
        MemorySegment nSeqId = arena.allocate(JAVA_INT, cap);
        batchLogits = arena.allocate(JAVA_BYTE, cap);
        MemorySegment seqIds = arena.allocate(ADDRESS, cap);
        MemorySegment seq = arena.allocateFrom(JAVA_INT, 0);
        for (int i = 0; i < cap; i++) {
            nSeqId.setAtIndex(JAVA_INT, i, 1);
            seqIds.setAtIndex(ADDRESS, i, seq);
        }
        BATCH_TOKEN.set(batch, 0L, batchTokens);
        BATCH_EMBD.set(batch, 0L, MemorySegment.NULL);
        BATCH_POS.set(batch, 0L, batchPos);
        BATCH_N_SEQ_ID.set(batch, 0L, nSeqId);
        BATCH_SEQ_ID.set(batch, 0L, seqIds);
        BATCH_LOGITS.set(batch, 0L, batchLogits);
    }

    /** The pooled, unnormalised vectors; null when cancelled. */
    record Result(float[][] vectors, int promptEvalCount, long promptEvalNanos) {}

    Result embed(List<String> inputs, boolean truncate, AtomicBoolean cancel) throws RunnerFailure {
        long start = System.nanoTime();
        // Tokenize and check everything first: an over-long input refuses the whole request before any work.
        int[][] tokens = new int[inputs.size()][];
        for (int i = 0; i < tokens.length; i++) {
            int[] t = m.tokenize(inputs.get(i), true);
            if (t.length == 0) throw RunnerFailure.badRequest("no input provided");
            if (t.length > limit) {
                if (!truncate) throw RunnerFailure.badRequest(TOO_LONG);
                log.info("truncating embedding input: limit " + limit + ", input " + t.length);
                t = Arrays.copyOf(t, limit);
            }
            tokens[i] = t;
        }
        float[][] vectors = new float[tokens.length][];
        int count = 0;
        llama.memoryClear(m.ctx);
        llama.setEmbeddings(m.ctx, true);
        try {
            for (int i = 0; i < tokens.length; i++) {
                if (cancel.get()) return null;
                vectors[i] = embedOne(tokens[i], cancel);
                if (vectors[i] == null) return null;
                count += tokens[i].length;
            }
        } finally {
            llama.setEmbeddings(m.ctx, false);
            llama.memoryClear(m.ctx);
        }
        return new Result(vectors, count, System.nanoTime() - start);
    }

    private float[] embedOne(int[] tokens, AtomicBoolean cancel) throws RunnerFailure {
        llama.memorySeqRm(m.ctx, 0, -1, -1);
        float[] sum = pooling == Pooling.MEAN ? new float[nEmbd] : null;
        float[] picked = null;
        int n = tokens.length;
        for (int from = 0; from < n; from += m.nBatch) {
            if (cancel.get()) return null;
            int to = Math.min(n, from + m.nBatch);
            int count = to - from;
            for (int j = 0; j < count; j++) {
                int pos = from + j;
                batchTokens.setAtIndex(JAVA_INT, j, tokens[pos]);
                batchPos.setAtIndex(JAVA_INT, j, pos);
                boolean output = switch (pooling) {
                    case MEAN -> true;
                    case CLS -> pos == 0;
                    case LAST -> pos == n - 1;
                };
                batchLogits.set(JAVA_BYTE, j, (byte) (output ? 1 : 0));
            }
            BATCH_N_TOKENS.set(batch, 0L, count);
            m.pollAbort(true);
            m.threadsFor();
            int rc = llama.decode(m.ctx, batch);
            if (rc == 2) return null;
            if (rc != 0) {
                String why = log.lastError();
                throw new RunnerFailure(EngineException.Kind.RUNNER_FAILED,
                        "llama_decode failed (" + rc + ")" + (why == null ? "" : ": " + why));
            }
            switch (pooling) {
                case MEAN -> {
                    for (int j = 0; j < count; j++) {
                        float[] e = tokenEmbedding(j);
                        for (int k = 0; k < nEmbd; k++) sum[k] += e[k];
                    }
                }
                case CLS -> {
                    if (from == 0) picked = tokenEmbedding(0);
                }
                case LAST -> {
                    if (to == n) picked = tokenEmbedding(count - 1);
                }
            }
        }
        if (sum != null) {
            for (int k = 0; k < nEmbd; k++) sum[k] /= n;
            return sum;
        }
        return picked;
    }

    private float[] tokenEmbedding(int batchIndex) throws RunnerFailure {
        float[] e = llama.embeddingsIth(m.ctx, batchIndex, nEmbd);
        if (e == null) {
            throw new RunnerFailure(EngineException.Kind.RUNNER_FAILED, "llama.cpp returned no embedding");
        }
        return e;
    }
}
