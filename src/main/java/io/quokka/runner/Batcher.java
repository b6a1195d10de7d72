package io.quokka.runner;

import static io.quokka.runner.llamacpp.LlamaLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.SamplingParams;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.StderrCapture;
import io.quokka.runner.protocol.Command;
import io.quokka.runner.protocol.Event;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The llama thread's loop: continuous batching over the context's {@code n_seq_max} sequences, as llama.cpp's
 * server and Ollama's llamarunner do. Each request takes a free {@link Slot} (the one whose cache shares the longest
 * prefix with its input, else the least recently used); every step builds ONE batch holding one token for each
 * generating sequence plus prompt chunks of newly admitted ones (at most {@code n_batch} tokens in all), calls
 * {@code llama_decode} once and samples each sequence from its own logits row. Sequences end independently; their
 * cells stay for prefix reuse by the next request on that slot. Requests beyond the free slots wait in the queue
 * (FIFO). With one sequence the decode calls are exactly those of a plain one-at-a-time loop.
 *
 * <p>Cancellation is per sequence and checked between steps; the abort callback (which would stop the whole shared
 * decode) fires only when every sequence in the batch being decoded is cancelled.
 *
 * <p>Embeddings clear the shared KV cache, so they run only when no generation is active: an Embed at the head of
 * the queue stops further admissions until the active generations end (the server sends them only when idle anyway).
 */
final class Batcher {
    private final NativeModel m;
    private final LlamaCpp llama;
    private final RunnerLog log;
    private final Embedder embedder;
    private final BlockingQueue<Command> queue;
    private final Map<Long, AtomicBoolean> cancels;
    private final Consumer<Event> send;
    private final Slot[] slots;
    private final List<Generation> active = new ArrayList<>();
    private final int capacity;
    private final MemorySegment batch, batchTokens, batchPos, batchNSeqId, batchSeqIds, batchLogits;
    private final MemorySegment pieceBuf;
    /** Cancel flags of the sequences in the decode under way (read by the abort callback on compute threads). */
    private volatile AtomicBoolean[] inDecode = new AtomicBoolean[0];
    /** The cancel flag of the embedding request under way, if any. */
    private volatile AtomicBoolean embedding;
    private int rotation; // which generating sequence goes first when the batch cannot hold them all

    Batcher(NativeModel m, Embedder embedder, RunnerLog log, BlockingQueue<Command> queue,
            Map<Long, AtomicBoolean> cancels, Consumer<Event> send) {
        this.m = m;
        this.llama = m.llama;
        this.log = log;
        this.embedder = embedder;
        this.queue = queue;
        this.cancels = cancels;
        this.send = send;
        this.slots = new Slot[Math.max(1, m.nSeqMax)];
        for (int i = 0; i < slots.length; i++) slots[i] = new Slot(m, i, log);
        // A llama_batch we own (instead of llama_batch_init/free): parallel arrays of n_batch entries, each token
        // belonging to exactly one sequence (its seq_id pointer is set per entry).
        Arena arena = Arena.ofAuto();
        capacity = m.nBatch;
        batch = arena.allocate(BATCH);
        batchTokens = arena.allocate(JAVA_INT, capacity);
        batchPos = arena.allocate(JAVA_INT, capacity);
        batchNSeqId = arena.allocate(JAVA_INT, capacity);
        batchLogits = arena.allocate(JAVA_BYTE, capacity);
        batchSeqIds = arena.allocate(ADDRESS, capacity);
        for (int i = 0; i < capacity; i++) batchNSeqId.setAtIndex(JAVA_INT, i, 1);
        BATCH_TOKEN.set(batch, 0L, batchTokens);
        BATCH_EMBD.set(batch, 0L, MemorySegment.NULL);
        BATCH_POS.set(batch, 0L, batchPos);
        BATCH_N_SEQ_ID.set(batch, 0L, batchNSeqId);
        BATCH_SEQ_ID.set(batch, 0L, batchSeqIds);
        BATCH_LOGITS.set(batch, 0L, batchLogits);
        pieceBuf = arena.allocate(256);
    }

    /** Polled by llama.cpp during graph computation: abort only when nobody in the batch wants the result. */
    boolean abortRequested() {
        AtomicBoolean e = embedding;
        if (e != null) return e.get();
        AtomicBoolean[] flags = inDecode;
        if (flags.length == 0) return false;
        for (AtomicBoolean f : flags) {
            if (!f.get()) return false;
        }
        return true;
    }

    void run() {
        Command.Embed deferred = null; // waits until the active generations have ended
        while (true) {
            try {
                while (deferred == null && active.size() < slots.length) {
                    Command next = active.isEmpty() ? queue.take() : queue.poll();
                    if (next == null) break;
                    if (next instanceof Command.Embed e) {
                        if (active.isEmpty()) {
                            serveEmbedding(e);
                        } else {
                            deferred = e;
                        }
                    } else {
                        admit((Command.Generate) next);
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            if (active.isEmpty()) {
                if (deferred != null) {
                    serveEmbedding(deferred);
                    deferred = null;
                }
                continue;
            }
            try {
                step();
            } catch (RuntimeException | OutOfMemoryError e) {
                log.info("generation failed: " + e);
                for (Generation g : List.copyOf(active)) {
                    fail(g, new RunnerFailure(EngineException.Kind.RUNNER_FAILED, "generation failed: " + e));
                }
            }
        }
    }

    // ---- admission ----

    private void admit(Command.Generate g) {
        long start = System.nanoTime();
        AtomicBoolean cancel = cancels.computeIfAbsent(g.id(), k -> new AtomicBoolean());
        GenerationRequest r = g.request();
        MemorySegment chain = null;
        Slot slot = null;
        try {
            int nCtxSlot = slots[0].nCtxSlot;
            if (nCtxSlot < 4) throw RunnerFailure.badRequest("context window too small: " + nCtxSlot + " tokens");
            for (int t : r.context()) {
                // Hazard: llama.cpp indexes its vocabulary with the id (std::out_of_range -> abort).
                if (t < 0 || t >= m.nVocab) throw RunnerFailure.badRequest("context token out of range: " + t);
            }
            int[] prompt = m.tokenize(r.prompt(), r.context().length == 0);
            int[] inputs = Generation.concat(r.context(), prompt);
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
                log.info("truncating input prompt: limit " + limit + ", prompt " + inputs.length + ", keep "
                        + numKeep);
                inputs = truncated;
            }

            slot = pickSlot(inputs);
            chain = buildSampler(r, nCtxSlot);
            boolean hasGrammar = r.grammar() != null && !r.grammar().isBlank();
            try {
                acceptPrompt(chain, hasGrammar, inputs);
                Generation gen = new Generation(g.id(), r, slot, inputs, numKeep, chain,
                        new TextOutput(r.stops(), text -> send.accept(new Event.Piece(g.id(), text))), cancel, start);
                gen.promptPos = slot.reuse(inputs);
                slot.owner = gen;
                active.add(gen);
            } catch (RuntimeException | OutOfMemoryError e) {
                slot.forget();
                throw e;
            }
        } catch (RunnerFailure f) {
            if (chain != null) llama.samplerFree(chain);
            send.accept(new Event.Failed(g.id(), f.kind, f.getMessage()));
            cancels.remove(g.id());
        } catch (RuntimeException | OutOfMemoryError e) {
            // This request alone: its prompt too big for the heap (tokenizing it), say. The others go on.
            if (chain != null) llama.samplerFree(chain);
            send.accept(RunnerFailure.of(g.id(), "generation", e, log));
            cancels.remove(g.id());
        }
    }

    /** The free slot whose cache shares the longest prefix with {@code inputs}; among equals the least recently used. */
    private Slot pickSlot(int[] inputs) {
        Slot best = null;
        int bestPrefix = -1;
        for (Slot s : slots) {
            if (s.owner != null) continue;
            int prefix = s.cached.commonPrefix(inputs);
            if (prefix > bestPrefix || (prefix == bestPrefix && s.releasedAt < best.releasedAt)) {
                best = s;
                bestPrefix = prefix;
            }
        }
        return best;
    }

    // ---- one step: one llama_decode for every active sequence ----

    private void step() {
        for (Generation g : List.copyOf(active)) {
            if (g.cancel.get()) finish(g, DoneReason.CANCELLED);
        }
        int budget = capacity;
        while (!active.isEmpty()) {
            List<Generation> batched = build(budget);
            if (batched.isEmpty()) return; // everyone ended while building (full windows)
            int n = (int) BATCH_N_TOKENS.get(batch, 0L);
            inDecode = batched.stream().map(g -> g.cancel).toArray(AtomicBoolean[]::new);
            boolean promptChunk = n > batched.size();
            m.pollAbort(promptChunk); // only a batch with a prompt chunk in it is worth aborting mid-decode
            m.threadsFor();
            int rc;
            long started = System.nanoTime();
            try {
                rc = llama.decode(m.ctx, batch);
            } finally {
                inDecode = new AtomicBoolean[0];
            }
            if (!promptChunk && rc == 0) m.stepTook(System.nanoTime() - started, n);
            if (noRoom(rc) && n > 1) {
                // No contiguous run of free cells for this many tokens (the slots' caches fragment the unified KV
                // cache): nothing was committed, so try again with fewer tokens, as llama.cpp's server does.
                budget = Math.max(1, n / 2);
                continue;
            }
            if (rc == 2) { // aborted: every sequence in the batch is cancelled; the KV cache was rolled back
                for (Generation g : batched) finish(g, DoneReason.CANCELLED);
                return;
            }
            if (rc != 0) {
                for (Generation g : batched) fail(g, decodeFailed(rc));
                return;
            }
            for (Generation g : batched) afterDecode(g);
            return;
        }
    }

    /**
     * Whether {@code llama_decode} found no free cells for the batch. Later llama.cpp returns 1; the build this
     * library ships (b4916) logs "failed to prepare ubatch" and returns -3, which it also returns for a failed graph
     * computation; retrying that with fewer tokens is harmless: it fails again at one token and is reported then.
     */
    private static boolean noRoom(int rc) {
        return rc == 1 || rc == -3;
    }

    /**
     * Fills the batch: first one token per generating sequence (context-shifting a full window), then prompt chunks
     * in admission order, at most {@code budget} tokens in all. Returns the sequences that have tokens in it.
     */
    private List<Generation> build(int budget) {
        List<Generation> batched = new ArrayList<>();
        int n = 0;
        int size = active.size();
        int first = size == 0 ? 0 : Math.floorMod(rotation++, size);
        for (int k = 0; k < size && n < budget; k++) {
            Generation g = active.get((first + k) % size);
            if (!g.generating() || g.pending < 0) continue;
            Slot s = g.slot;
            if (s.cached.size() + 1 > s.nCtxSlot && !s.shift(g.numKeep)) {
                g.batchCount = -1; // ended below: the model cannot shift its cache, the window is simply full
                continue;
            }
            g.batchFrom = n;
            g.batchCount = 1;
            g.logitsIndex = n;
            put(n++, g.pending, s.cached.size(), s, true);
            batched.add(g);
        }
        for (Generation g : List.copyOf(active)) {
            if (g.generating() && g.batchCount == -1) finish(g, DoneReason.LENGTH);
        }
        for (Generation g : active) {
            if (g.generating() || n >= budget) continue;
            Slot s = g.slot;
            int take = Math.min(budget - n, g.inputs.length - g.promptPos);
            boolean last = g.promptPos + take == g.inputs.length;
            g.batchFrom = n;
            g.batchCount = take;
            g.logitsIndex = last ? n + take - 1 : -1;
            for (int i = 0; i < take; i++) {
                put(n, g.inputs[g.promptPos + i], s.cached.size() + i, s, last && i == take - 1);
                n++;
            }
            batched.add(g);
        }
        BATCH_N_TOKENS.set(batch, 0L, n);
        return batched;
    }

    private void put(int i, int token, int pos, Slot s, boolean logits) {
        batchTokens.setAtIndex(JAVA_INT, i, token);
        batchPos.setAtIndex(JAVA_INT, i, pos);
        batchSeqIds.setAtIndex(ADDRESS, i, s.seqIdSegment);
        batchLogits.set(JAVA_BYTE, i, (byte) (logits ? 1 : 0));
    }

    /** Commits the decoded tokens to the slot's bookkeeping and samples the sequences that got logits. */
    private void afterDecode(Generation g) {
        Slot s = g.slot;
        if (!g.generating()) {
            s.cached.addAll(g.inputs, g.promptPos, g.promptPos + g.batchCount);
            g.promptPos += g.batchCount;
            if (g.logitsIndex < 0) return; // more prompt to come
            g.generationStart = System.nanoTime();
        } else {
            s.cached.add(g.pending);
        }
        int token = llama.samplerSample(g.chain, m.ctx, g.logitsIndex); // also accepts it into the chain
        g.pending = -1;
        g.predicted++; // Ollama counts the EOG token too
        if (m.isEog(token)) {
            finish(g, DoneReason.STOP);
            return;
        }
        g.generated.add(token);
        if (g.text.add(piece(token))) {
            finish(g, DoneReason.STOP);
            return;
        }
        if (g.request.numPredict() > 0 && g.predicted >= g.request.numPredict()) {
            finish(g, DoneReason.LENGTH);
            return;
        }
        g.pending = token;
    }

    private void finish(Generation g, DoneReason reason) {
        release(g);
        if (reason != DoneReason.CANCELLED) g.text.finish();
        send.accept(new Event.Done(g.id, g.result(reason)));
    }

    private void fail(Generation g, RunnerFailure f) {
        release(g);
        g.slot.forget();
        send.accept(new Event.Failed(g.id, f.kind, f.getMessage()));
    }

    private void release(Generation g) {
        active.remove(g);
        g.slot.owner = null;
        g.slot.releasedAt = System.nanoTime();
        llama.samplerFree(g.chain);
        cancels.remove(g.id);
    }

    // ---- embeddings ----

    private void serveEmbedding(Command.Embed e) {
        AtomicBoolean cancel = cancels.computeIfAbsent(e.id(), k -> new AtomicBoolean());
        embedding = cancel;
        try {
            for (Slot s : slots) s.forget(); // the embedder uses (and clears) the same KV cache
            Embedder.Result r = embedder.embed(e.inputs(), e.truncate(), cancel);
            if (r == null) {
                send.accept(new Event.Failed(e.id(), EngineException.Kind.RUNNER_FAILED, "embedding cancelled"));
            } else {
                send.accept(new Event.Embeddings(e.id(), r.vectors(), r.promptEvalCount(), r.promptEvalNanos()));
            }
        } catch (RunnerFailure f) {
            send.accept(new Event.Failed(e.id(), f.kind, f.getMessage()));
        } catch (RuntimeException | OutOfMemoryError x) {
            send.accept(RunnerFailure.of(e.id(), "embedding", x, log));
        } finally {
            embedding = null;
            cancels.remove(e.id());
        }
    }

    // ---- sampling ----

    /**
     * Ollama's llamarunner chain: penalties, top-k, typical-p, top-p, min-p, temperature, then a seeded
     * distribution; temperature 0 or below samples greedily. A grammar, when given, constrains first.
     */
    private MemorySegment buildSampler(GenerationRequest r, int nCtxSlot) throws RunnerFailure {
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
        llama.samplerChainAdd(chain, llama.samplerInitPenalties(m.nVocab, lastN, s.repeatPenalty(), s.frequencyPenalty(),
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

    private RunnerFailure decodeFailed(int rc) {
        String why = log.lastError();
        return new RunnerFailure(EngineException.Kind.RUNNER_FAILED,
                "llama_decode failed (" + rc + ")" + (why == null ? "" : ": " + why));
    }
}
