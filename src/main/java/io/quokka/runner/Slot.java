package io.quokka.runner;

import static io.quokka.runner.llamacpp.LlamaLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.SamplingParams;
import io.quokka.runner.llamacpp.Llama;
import io.quokka.runner.llamacpp.StderrCapture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One llama.cpp sequence ({@code seq_id}) and the tokens its part of the KV cache holds, so the next request can
 * reuse a common prefix. Runs one generation at a time on the context's thread. Behaviour follows Ollama's
 * {@code runner/llamarunner}: truncation, sampler chain, stop strings, context shift and counts.
 */
final class Slot {
    private final NativeModel m;
    private final Llama llama;
    private final int seqId;
    private final int nCtxSlot;
    private final RunnerLog log;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment batch, batchTokens, batchPos, batchNSeqId, batchSeqIds, batchLogits;
    private final MemorySegment pieceBuf;
    /** Tokens whose keys and values are in this sequence's cache, at positions 0..size-1. */
    private final IntList cached = new IntList();

    Slot(NativeModel m, int seqId, RunnerLog log) {
        this.m = m;
        this.llama = m.llama;
        this.seqId = seqId;
        this.nCtxSlot = m.nCtx / m.nSeqMax;
        this.log = log;
        // A llama_batch we own (instead of llama_batch_init/free): parallel arrays of n_batch entries, each token
        // belonging to exactly one sequence, this slot's.
        int cap = m.nBatch;
        batch = arena.allocate(BATCH);
        batchTokens = arena.allocate(JAVA_INT, cap);
        batchPos = arena.allocate(JAVA_INT, cap);
        batchNSeqId = arena.allocate(JAVA_INT, cap);
        batchLogits = arena.allocate(JAVA_BYTE, cap);
        batchSeqIds = arena.allocate(ADDRESS, cap);
        MemorySegment seq = arena.allocateFrom(JAVA_INT, seqId);
        for (int i = 0; i < cap; i++) {
            batchNSeqId.setAtIndex(JAVA_INT, i, 1);
            batchSeqIds.setAtIndex(ADDRESS, i, seq);
        }
        BATCH_TOKEN.set(batch, 0L, batchTokens);
        BATCH_EMBD.set(batch, 0L, MemorySegment.NULL);
        BATCH_POS.set(batch, 0L, batchPos);
        BATCH_N_SEQ_ID.set(batch, 0L, batchNSeqId);
        BATCH_SEQ_ID.set(batch, 0L, batchSeqIds);
        BATCH_LOGITS.set(batch, 0L, batchLogits);
        pieceBuf = arena.allocate(256);
    }

    GenerationResult generate(GenerationRequest r, Consumer<String> sink, AtomicBoolean cancel) throws RunnerFailure {
        long start = System.nanoTime();
        if (nCtxSlot < 4) throw RunnerFailure.badRequest("context window too small: " + nCtxSlot + " tokens");
        for (int t : r.context()) {
            // Hazard: llama.cpp indexes its vocabulary with the id (std::out_of_range -> abort).
            if (t < 0 || t >= m.nVocab) throw RunnerFailure.badRequest("context token out of range: " + t);
        }
        int[] prompt = m.tokenize(r.prompt(), r.context().length == 0);
        int[] inputs = concat(r.context(), prompt);
        if (inputs.length == 0) throw RunnerFailure.badRequest("no input provided");

        // Ollama: num_keep < 0 keeps the whole prompt; the BOS token does not count; at least one token must
        // remain discardable. We also keep room for one generated token (prompt <= window - 1).
        int numKeep = r.numKeep() < 0 ? inputs.length : r.numKeep();
        if (m.addBos) numKeep++;
        numKeep = Math.max(0, Math.min(numKeep, nCtxSlot - 2));
        int limit = nCtxSlot - 1;
        if (inputs.length > limit) {
            int discard = inputs.length - limit;
            int[] truncated = new int[limit];
            System.arraycopy(inputs, 0, truncated, 0, numKeep);
            System.arraycopy(inputs, numKeep + discard, truncated, numKeep, limit - numKeep);
            log.info("truncating input prompt: limit " + limit + ", prompt " + inputs.length + ", keep " + numKeep);
            inputs = truncated;
        }

        MemorySegment chain = buildSampler(r);
        try {
            acceptPrompt(chain, r.grammar() != null && !r.grammar().isBlank(), inputs);
            return run(r, inputs, numKeep, chain, sink, cancel, start);
        } catch (RuntimeException | RunnerFailure e) {
            forget();
            throw e;
        } finally {
            llama.samplerFree(chain);
        }
    }

    private GenerationResult run(GenerationRequest r, int[] inputs, int numKeep, MemorySegment chain,
            Consumer<String> sink, AtomicBoolean cancel, long start) throws RunnerFailure {
        // Reuse the cached prefix; always re-decode at least the last prompt token to get its logits.
        int keep = cached.commonPrefix(inputs);
        if (keep == inputs.length) keep--;
        if (!llama.kvSelfSeqRm(m.ctx, seqId, keep, -1)) {
            llama.kvSelfSeqRm(m.ctx, seqId, -1, -1);
            keep = 0;
        }
        cached.truncate(keep);

        for (int i = keep; i < inputs.length; i += m.nBatch) {
            if (cancel.get()) return result(DoneReason.CANCELLED, inputs, start, System.nanoTime(), 0, null);
            int end = Math.min(inputs.length, i + m.nBatch);
            int rc = decode(inputs, i, end, end == inputs.length);
            if (rc == 2) return result(DoneReason.CANCELLED, inputs, start, System.nanoTime(), 0, null);
            if (rc != 0) throw decodeFailed(rc);
            cached.addAll(inputs, i, end);
        }
        long generationStart = System.nanoTime();

        IntList generated = new IntList();
        TextOutput text = new TextOutput(r.stops(), sink);
        int predicted = 0;
        DoneReason reason;
        int[] one = new int[1];
        while (true) {
            if (cancel.get()) {
                reason = DoneReason.CANCELLED;
                break;
            }
            int token = llama.samplerSample(chain, m.ctx, -1); // also accepts the token into the chain
            predicted++; // Ollama counts the EOG token too
            if (m.isEog(token)) {
                reason = DoneReason.STOP;
                break;
            }
            generated.add(token);
            if (text.add(piece(token))) {
                reason = DoneReason.STOP;
                break;
            }
            if (r.numPredict() > 0 && predicted >= r.numPredict()) {
                reason = DoneReason.LENGTH;
                break;
            }
            if (cached.size() + 1 > nCtxSlot && !shift(numKeep)) {
                reason = DoneReason.LENGTH; // the model cannot shift its cache: the window is simply full
                break;
            }
            one[0] = token;
            int rc = decode(one, 0, 1, true);
            if (rc == 2) {
                reason = DoneReason.CANCELLED;
                break;
            }
            if (rc != 0) throw decodeFailed(rc);
            cached.add(token);
        }
        if (reason != DoneReason.CANCELLED) text.finish();
        return result(reason, inputs, start, generationStart, predicted, generated);
    }

    private GenerationResult result(DoneReason reason, int[] inputs, long start, long generationStart, int predicted,
            IntList generated) {
        long end = System.nanoTime();
        int[] context = generated == null ? inputs : concat(inputs, generated.toArray());
        return new GenerationResult(reason, inputs.length, generationStart - start, predicted, end - generationStart,
                context);
    }

    /**
     * Ollama's context shift: keep the first {@code numKeep} tokens, drop half of the rest, slide the remainder
     * down (llama.cpp re-rotates the keys lazily on the next decode).
     */
    private boolean shift(int numKeep) {
        if (!llama.kvSelfCanShift(m.ctx)) return false;
        int size = cached.size();
        int targetFree = Math.max((nCtxSlot - numKeep) / 2, 1);
        int discard = targetFree - (nCtxSlot - size);
        if (discard <= 0) return true;
        log.info("context shift: keep " + numKeep + ", discard " + discard + " of " + size);
        if (!llama.kvSelfSeqRm(m.ctx, seqId, numKeep, numKeep + discard)) return false;
        llama.kvSelfSeqAdd(m.ctx, seqId, numKeep + discard, size, -discard);
        cached.removeRange(numKeep, numKeep + discard);
        return true;
    }

    /** Decodes tokens[from, to) at the next positions of this sequence; logits only for the last if asked. */
    private int decode(int[] tokens, int from, int to, boolean lastLogits) {
        int n = to - from;
        int pos = cached.size();
        for (int i = 0; i < n; i++) {
            batchTokens.setAtIndex(JAVA_INT, i, tokens[from + i]);
            batchPos.setAtIndex(JAVA_INT, i, pos + i);
            batchLogits.set(JAVA_BYTE, i, (byte) 0);
        }
        if (lastLogits) batchLogits.set(JAVA_BYTE, n - 1, (byte) 1);
        BATCH_N_TOKENS.set(batch, 0L, n);
        return llama.decode(m.ctx, batch);
    }

    /**
     * Ollama's llamarunner chain: penalties, top-k, typical-p, top-p, min-p, temperature, then a seeded
     * distribution; temperature 0 or below samples greedily. A grammar, when given, constrains first.
     */
    private MemorySegment buildSampler(GenerationRequest r) throws RunnerFailure {
        SamplingParams s = r.sampling();
        MemorySegment chain;
        try (Arena tmp = Arena.ofConfined()) {
            chain = llama.samplerChainInit(llama.samplerChainDefaultParams(tmp));
        }
        boolean hasGrammar = r.grammar() != null && !r.grammar().isBlank();
        if (hasGrammar) {
            int errorsBefore = log.errorCount();
            MemorySegment[] grammar = new MemorySegment[1];
            // At b4916 an invalid grammar still yields a sampler (one that constrains nothing) and the parse error
            // goes straight to stderr, not through the log callback: capture it to refuse the request instead of
            // silently generating unconstrained text.
            String stderr = StderrCapture.during(() -> {
                try (Arena tmp = Arena.ofConfined()) {
                    grammar[0] = llama.samplerInitGrammar(m.vocab, tmp.allocateFrom(r.grammar()),
                            tmp.allocateFrom("root"));
                }
            });
            if (grammar[0].equals(MemorySegment.NULL) || log.errorCount() != errorsBefore
                    || stderr.contains("error parsing grammar")) {
                if (!grammar[0].equals(MemorySegment.NULL)) llama.samplerFree(grammar[0]);
                llama.samplerFree(chain);
                String detail = stderr.lines().filter(l -> l.contains("error")).findFirst()
                        .orElse(log.lastError() == null ? "" : log.lastError());
                throw RunnerFailure.badRequest("invalid grammar" + (detail.isBlank() ? "" : ": " + detail.strip()));
            }
            llama.samplerChainAdd(chain, grammar[0]);
        }
        int lastN = s.repeatLastN() < 0 ? nCtxSlot : s.repeatLastN(); // Ollama: -1 = num_ctx
        llama.samplerChainAdd(chain, llama.samplerInitPenalties(lastN, s.repeatPenalty(), s.frequencyPenalty(),
                s.presencePenalty()));
        if (s.temperature() <= 0) {
            llama.samplerChainAdd(chain, llama.samplerInitGreedy());
        } else {
            llama.samplerChainAdd(chain, llama.samplerInitTopK(s.topK()));
            llama.samplerChainAdd(chain, llama.samplerInitTypical(s.typicalP(), 1));
            llama.samplerChainAdd(chain, llama.samplerInitTopP(s.topP(), 1));
            llama.samplerChainAdd(chain, llama.samplerInitMinP(s.minP(), 1));
            llama.samplerChainAdd(chain, llama.samplerInitTemp(s.temperature()));
            // uint32 seed as Ollama passes it; LLAMA_DEFAULT_SEED (0xFFFFFFFF) asks llama.cpp for a random one
            llama.samplerChainAdd(chain, llama.samplerInitDist(s.seed() < 0 ? 0xFFFFFFFF : (int) s.seed()));
        }
        return chain;
    }

    /** Like Ollama, the prompt tokens feed the repetition penalties (but not the grammar). */
    private void acceptPrompt(MemorySegment chain, boolean hasGrammar, int[] inputs) {
        MemorySegment penalties = llama.samplerChainGet(chain, hasGrammar ? 1 : 0);
        for (int t : inputs) llama.samplerAccept(penalties, t);
    }

    private byte[] piece(int token) {
        int n = llama.tokenToPiece(m.vocab, token, pieceBuf, (int) pieceBuf.byteSize(), 0, false);
        if (n >= 0) return pieceBuf.asSlice(0, n).toArray(JAVA_BYTE);
        try (Arena tmp = Arena.ofConfined()) {
            return m.piece(token, tmp);
        }
    }

    /** After a failure (or when something else used the KV cache) its content is unknown: drop it. */
    void forget() {
        llama.kvSelfSeqRm(m.ctx, seqId, -1, -1);
        cached.truncate(0);
    }

    private RunnerFailure decodeFailed(int rc) {
        String why = log.lastError();
        return new RunnerFailure(EngineException.Kind.RUNNER_FAILED,
                "llama_decode failed (" + rc + ")" + (why == null ? "" : ": " + why));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
