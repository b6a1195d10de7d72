package io.quokka.runner;

import static io.quokka.runner.llamacpp.LlamaLayouts.CHAT_MESSAGE;
import static io.quokka.runner.llamacpp.LlamaLayouts.MSG_CONTENT;
import static io.quokka.runner.llamacpp.LlamaLayouts.MSG_ROLE;

import io.quokka.engine.ChatMessage;
import io.quokka.engine.KvCacheType;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.LlamaLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one model and context this runner hosts. Vocabulary operations ({@link #tokenize}, {@link #piece},
 * {@link #applyTemplate}) only read the model and may run on any thread; everything that touches the context
 * (decode, KV cache, sampling) belongs to the single generation thread. Never freed: the runner ends by
 * exiting, which returns every byte.
 */
final class NativeModel {
    final LlamaCpp llama;
    final MemorySegment model;
    final MemorySegment vocab;
    final MemorySegment ctx;
    final int nCtx;
    final int nBatch;
    final int nSeqMax;
    final int nVocab;
    final int nCtxTrain;
    final boolean addBos;
    final String chatTemplate;
    /** The abort-callback stub, and whether llama.cpp polls it now (see {@link #pollAbort}). */
    private final MemorySegment abortCallback;
    private boolean polling = true;
    /** Who chooses the decodes' thread count, and the count set now (the context was made with all of them). */
    private final StepThreads stepThreads;
    private int currentThreads;

    private NativeModel(LlamaCpp llama, MemorySegment model, MemorySegment ctx, MemorySegment abortCallback,
            int threads, int requestedCtx, long modelBytes) {
        this.llama = llama;
        this.currentThreads = threads;
        this.stepThreads = new StepThreads(threads, llama.barriersSleep(), modelBytes,
                System.getenv(STEP_THREADS_ENV));
        this.abortCallback = abortCallback;
        this.model = model;
        this.ctx = ctx;
        this.vocab = llama.modelGetVocab(model);
        // What was asked for, not what llama.cpp allocated: v0.5.0 rounds the cache up to a multiple of 256 cells,
        // and a window of num_ctx tokens is what Ollama gives a request.
        this.nCtx = Math.min(llama.nCtx(ctx), requestedCtx);
        this.nBatch = llama.nBatch(ctx);
        this.nSeqMax = llama.nSeqMax(ctx);
        this.nVocab = llama.vocabNTokens(vocab);
        this.nCtxTrain = llama.modelNCtxTrain(model);
        this.addBos = llama.vocabGetAddBos(vocab);
        this.chatTemplate = llama.modelChatTemplate(model);
    }

    /**
     * Loads the model and creates its context as Ollama's runner does (n_ubatch = n_batch, one sequence per
     * parallel slot). {@code abort} is polled by llama.cpp during every graph computation.
     */
    static NativeModel load(LlamaCpp llama, RunnerOptions o, BooleanSupplier abort, RunnerLog log)
            throws RunnerFailure {
        MemorySegment model = llama.loadModel(o.modelFile().toString(), o.useMmap(), false);
        if (model.equals(MemorySegment.NULL)) {
            String why = log.lastError();
            throw new RunnerFailure(io.quokka.engine.EngineException.Kind.LOAD_FAILED,
                    "error loading model " + o.modelFile() + (why == null ? "" : ": " + why));
        }

        KvCacheType kv = o.kvCacheType();
        if (kv != KvCacheType.F16) {
            int headDim = llama.modelNEmbd(model) / Math.max(1, llama.modelNHead(model));
            // Ollama quantizes the KV cache only with flash attention; and llama.cpp ABORTS the process
            // (GGML_ASSERT in the copy kernel) when a quantized K row is not a whole number of 32-element blocks.
            if (!o.flashAttention() || headDim % 32 != 0) {
                log.info("kv cache type " + kv + " not usable here (flash attention " + o.flashAttention()
                        + ", head size " + headDim + "); using F16");
                kv = KvCacheType.F16;
            }
        }

        // More threads than cores never compute faster, and ggml's own pool (v0.5.0) spins every one of them at each
        // barrier: num_thread 1024 made a decode take minutes on 2 cores.
        int threads = Math.min(o.numThread(), Runtime.getRuntime().availableProcessors());
        if (threads < o.numThread()) log.info("num_thread " + o.numThread() + " capped at the " + threads + " cores");
        // the callback stub lives as long as the process
        MemorySegment abortCallback = LlamaCpp.abortCallback(abort, Arena.global());
        MemorySegment ctx = llama.newContext(model, new LlamaCpp.ContextSettings(o.numCtx(), o.numBatch(),
                o.numParallel(), threads, o.flashAttention(), kv.ggmlType, abortCallback));
        if (ctx.equals(MemorySegment.NULL)) {
            String why = log.lastError();
            throw new RunnerFailure(io.quokka.engine.EngineException.Kind.LOAD_FAILED,
                    "error creating the context for " + o.modelFile() + (why == null ? "" : ": " + why));
        }
        long modelBytes;
        try {
            modelBytes = java.nio.file.Files.size(o.modelFile());
        } catch (java.io.IOException e) {
            modelBytes = 0; // read a moment ago by llama.cpp; then one thread per step, the safe choice
        }
        return new NativeModel(llama, model, ctx, abortCallback, threads, o.numCtx(), modelBytes);
    }

    /** Sets the threads of every one-token step instead of {@link StepThreads}' choice. */
    static final String STEP_THREADS_ENV = "QUOKKA_STEP_THREADS";

    /**
     * Sets the threads of the next decode to what {@link StepThreads} chose, prompt batches included: llama.cpp's
     * sums differ in their last bits with the thread count, so a token computed with another count than its twin in
     * another sequence (a prompt chunk batched with a generation step, say) made two identical seeded requests
     * diverge. One count for every decode keeps them identical on a quiet machine. Decode thread only.
     */
    void threadsFor() {
        int wanted = stepThreads.threads();
        if (wanted == currentThreads) return;
        llama.setThreads(ctx, wanted, wanted);
        currentThreads = wanted;
    }

    /** How long a one-token step took ({@code tokens}: one per generating sequence), for {@link StepThreads}. */
    void stepTook(long nanos, int tokens) {
        stepThreads.took(nanos, tokens);
    }

    /**
     * Whether the next decodes poll the abort callback. llama.cpp calls it after EVERY graph node (about a thousand
     * per decode of a 30-layer model), each an upcall into Java on the first compute thread while its peers wait at
     * the node's barrier; that is worth it for a long prompt, which it can cut short, but not for a generation step,
     * which is one token long and after which cancellation is checked anyway. Decode thread only.
     */
    void pollAbort(boolean on) {
        if (on == polling) return;
        llama.setAbortCallback(ctx, on ? abortCallback : MemorySegment.NULL);
        polling = on;
    }

    /** {@code llama_tokenize} with special tokens parsed; {@code addSpecial} adds BOS if the vocabulary wants. */
    int[] tokenize(String text, boolean addSpecial) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment str = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, str, ValueLayout.JAVA_BYTE, 0, bytes.length);
            int max = bytes.length + 4; // a token covers at least one byte; plus BOS/EOS
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT, max);
            int n = llama.tokenize(vocab, str, bytes.length, out, max, addSpecial, true);
            if (n < 0) {
                max = -n;
                out = arena.allocate(ValueLayout.JAVA_INT, max);
                n = llama.tokenize(vocab, str, bytes.length, out, max, addSpecial, true);
            }
            if (n < 0) throw new IllegalStateException("llama_tokenize failed: " + n);
            return out.asSlice(0, (long) n * Integer.BYTES).toArray(ValueLayout.JAVA_INT);
        }
    }

    /** The bytes of one token (special tokens render as nothing); the caller checks the id range. */
    byte[] piece(int token, Arena scratch) {
        MemorySegment buf = scratch.allocate(64);
        int n = llama.tokenToPiece(vocab, token, buf, 64, 0, false);
        if (n < 0) {
            buf = scratch.allocate(-n);
            n = llama.tokenToPiece(vocab, token, buf, -n, 0, false);
        }
        return n <= 0 ? new byte[0] : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    boolean isEog(int token) {
        return llama.vocabIsEog(vocab, token);
    }

    /**
     * {@code llama_chat_apply_template} with {@code template} (a Jinja text or a built-in name such as
     * "llama3") or the model's own. llama.cpp recognises templates by name or by markers in the text; anything
     * else (a custom Jinja template) gives -1.
     */
    String applyTemplate(String template, List<ChatMessage> messages, boolean addAssistant) throws RunnerFailure {
        String tmpl = template != null ? template : chatTemplate;
        if (tmpl == null || tmpl.isBlank()) throw RunnerFailure.badRequest("the model has no chat template");
        // Hazard: llama.cpp indexes chat[0] unconditionally for some templates; never pass an empty list.
        if (messages.isEmpty()) throw RunnerFailure.badRequest("no messages to apply the chat template to");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chat = arena.allocate(LlamaLayouts.CHAT_MESSAGE, messages.size());
            int total = 0;
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                MemorySegment slot = chat.asSlice(i * CHAT_MESSAGE.byteSize(), CHAT_MESSAGE);
                MSG_ROLE.set(slot, 0L, arena.allocateFrom(m.role()));
                MSG_CONTENT.set(slot, 0L, arena.allocateFrom(m.content()));
                total += m.role().length() + m.content().length();
            }
            MemorySegment tmplStr = arena.allocateFrom(tmpl);
            int size = Math.max(256, 2 * total + 256);
            MemorySegment buf = arena.allocate(size);
            int n = llama.chatApplyTemplate(tmplStr, chat, messages.size(), addAssistant, buf, size);
            if (n > size) {
                size = n + 1;
                buf = arena.allocate(size);
                n = llama.chatApplyTemplate(tmplStr, chat, messages.size(), addAssistant, buf, size);
            }
            if (n < 0) {
                throw RunnerFailure.badRequest("this chat template is not supported: llama.cpp only applies its"
                        + " built-in template families (chatml, llama3, mistral, ...), not custom Jinja templates");
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }
}
