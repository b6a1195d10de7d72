package io.quokka.runner.llamacpp;

import static io.quokka.runner.llamacpp.LlamaLayouts.BATCH;
import static io.quokka.runner.llamacpp.LlamaLayouts.SAMPLER_CHAIN_PARAMS;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * llama.cpp's C API as the runner uses it, whichever release is loaded: {@link LlamaB4916} (the build bundled in
 * {@code de.kherud:llama}) or {@code v050.LlamaV050} (release v0.5.0). The calls whose C signature is the same in
 * both releases are bound here, once ({@link #COMMON}); each release binds what changed: the parameter structs
 * (their layouts moved), the KV-cache calls ({@code llama_kv_self_*} became {@code llama_memory_*}) and the
 * repetition-penalty sampler.
 *
 * <p>The methods are thin: they translate Java values to C ones and nothing else, so the caller sees llama.cpp's own
 * return conventions. Pointers to llama.cpp objects are plain {@link MemorySegment}s of size zero; the caller owns
 * their lifetime. Hazard: llama.cpp calls {@code abort()} on many misuses (out-of-range token ids, empty chat message
 * lists, a quantized K cache with an unsuitable head size...). Nothing here validates; the runner does.
 */
public abstract class LlamaCpp {
    /** Receives llama.cpp/ggml log output. Called on whatever thread logs; must not throw or block. */
    @FunctionalInterface
    public interface LogHandler {
        /** {@code level} is a {@code ggml_log_level}: 1 debug, 2 info, 3 warn, 4 error, 5 continuation. */
        void log(int level, String text);
    }

    public static final int LOG_ERROR = 4;

    /** What a context is created with; the rest is llama.cpp's default (pooling NONE, no perf counters). */
    public record ContextSettings(int nCtx, int nBatch, int nSeqMax, int nThreads, boolean flashAttention,
            int kvCacheGgmlType, MemorySegment abortCallback) {}

    /**
     * The fields of {@code llama_model_params} and {@code llama_context_params} set the same way on both releases,
     * in one release's layout (the offsets moved between them).
     */
    public record ParamFields(VarHandle nGpuLayers, VarHandle vocabOnly, VarHandle nCtx, VarHandle nBatch,
            VarHandle nUbatch, VarHandle nSeqMax, VarHandle nThreads, VarHandle nThreadsBatch, VarHandle typeK,
            VarHandle typeV, VarHandle noPerf, VarHandle poolingType, VarHandle abortCallback,
            VarHandle abortCallbackData) {}

    /** The C signature of every call bound here, by name, each written once; the same in b4916 and v0.5.0. */
    public static final Map<String, FunctionDescriptor> COMMON = common();

    private static Map<String, FunctionDescriptor> common() {
        Map<String, FunctionDescriptor> s = new LinkedHashMap<>();
        s.put("llama_backend_init", FunctionDescriptor.ofVoid());
        s.put("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
        // void llama_log_set(ggml_log_callback log_callback, void * user_data)
        s.put("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        s.put("llama_sampler_chain_default_params", FunctionDescriptor.of(SAMPLER_CHAIN_PARAMS));
        s.put("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        s.put("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        s.put("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));     // uint32_t
        s.put("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));   // uint32_t
        s.put("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS)); // uint32_t
        // void llama_set_n_threads(struct llama_context *, int32_t n_threads, int32_t n_threads_batch)
        s.put("llama_set_n_threads", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
        s.put("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        s.put("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        s.put("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        s.put("llama_model_n_head", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // const char * llama_model_chat_template(const struct llama_model *, const char * name); NULL = default
        s.put("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        // int32_t llama_model_meta_val_str(const struct llama_model *, const char * key, char * buf, size_t size)
        s.put("llama_model_meta_val_str", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        s.put("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        s.put("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        s.put("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        // int32_t llama_tokenize(vocab, const char * text, int32_t text_len, llama_token * tokens,
        //                        int32_t n_tokens_max, bool add_special, bool parse_special)
        s.put("llama_tokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        // int32_t llama_token_to_piece(vocab, llama_token, char * buf, int32_t length, int32_t lstrip, bool special)
        s.put("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        // int32_t llama_chat_apply_template(const char * tmpl, const llama_chat_message * chat, size_t n_msg,
        //                                   bool add_ass, char * buf, int32_t length)
        s.put("llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        // void llama_set_abort_callback(struct llama_context *, ggml_abort_callback, void * data)
        s.put("llama_set_abort_callback", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        // int32_t llama_decode(struct llama_context *, struct llama_batch) -- batch by value, the same struct in both
        s.put("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        s.put("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, SAMPLER_CHAIN_PARAMS));
        // the chain takes ownership of the added sampler (freed with the chain)
        s.put("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        s.put("llama_sampler_chain_get", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        s.put("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        s.put("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT)); // uint32 seed
        s.put("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // (float p, size_t min_keep)
        s.put("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        s.put("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        s.put("llama_sampler_init_typical", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        s.put("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        // (const llama_vocab *, const char * grammar_str, const char * grammar_root)
        s.put("llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // llama_token llama_sampler_sample(smpl, ctx, int32_t idx): applies the chain to the logits of output idx
        // (-1 = last) and ALSO calls llama_sampler_accept on the chosen token.
        s.put("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        s.put("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        s.put("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
        // void llama_set_embeddings(struct llama_context * ctx, bool embeddings)
        s.put("llama_set_embeddings", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        // float * llama_get_embeddings_ith(struct llama_context * ctx, int32_t i); NULL for an invalid i
        s.put("llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        return Collections.unmodifiableMap(s);
    }

    /**
     * {@code const char * llm_arch_name(llm_arch)}: not part of the C API but exported by both libraries (a C++
     * function; this is its mangled name). It is how the server learns which architectures the engine can load
     * without keeping a list: see {@link #architectures()}.
     */
    static final String ARCH_NAME_SYMBOL = "_Z13llm_arch_name8llm_arch";

    private final SymbolLookup lib;
    private final Map<String, FunctionDescriptor> signatures;
    private final ParamFields fields;
    /** By the same names in both releases, with each release's struct layouts in their signatures. */
    private final MethodHandle modelDefaultParams, contextDefaultParams, modelLoadFromFile, initFromModel;
    /** {@code llama_kv_self_*} on the context (b4916) or {@code llama_memory_*} on its memory (v0.5.0). */
    private final MethodHandle memorySeqRm, memorySeqAdd, memoryCanShift;
    private final MethodHandle backendInit, logSet, printSystemInfo, samplerChainDefaultParams, modelFree, free, nCtx,
            nBatch, nSeqMax, setNThreads, modelGetVocab, modelNCtxTrain, modelNEmbd, modelNHead, modelChatTemplate,
            modelMetaValStr, vocabNTokens, vocabGetAddBos, vocabIsEog, tokenize, tokenToPiece, chatApplyTemplate,
            setAbortCallback, decode, samplerChainInit, samplerChainAdd, samplerChainGet, samplerInitGreedy,
            samplerInitDist, samplerInitTopK, samplerInitTopP, samplerInitMinP, samplerInitTypical, samplerInitTemp,
            samplerInitGrammar, samplerSample, samplerAccept, samplerFree, setEmbeddings, getEmbeddingsIth;

    /**
     * Binds {@link #COMMON} and the release's own calls from {@code signatures} (which must include COMMON): the
     * parameter structs' calls, and the KV-cache calls named {@code memoryPrefix + "seq_rm"} and so on.
     */
    protected LlamaCpp(SymbolLookup lib, Map<String, FunctionDescriptor> signatures, ParamFields fields,
            String memoryPrefix) {
        this.lib = lib;
        this.signatures = signatures;
        this.fields = fields;
        modelDefaultParams = fn("llama_model_default_params");
        contextDefaultParams = fn("llama_context_default_params");
        modelLoadFromFile = fn("llama_model_load_from_file");
        initFromModel = fn("llama_init_from_model");
        memorySeqRm = fn(memoryPrefix + "seq_rm");
        memorySeqAdd = fn(memoryPrefix + "seq_add");
        memoryCanShift = fn(memoryPrefix + "can_shift");
        backendInit = fn("llama_backend_init");
        logSet = fn("llama_log_set");
        printSystemInfo = fn("llama_print_system_info");
        samplerChainDefaultParams = fn("llama_sampler_chain_default_params");
        modelFree = fn("llama_model_free");
        free = fn("llama_free");
        nCtx = fn("llama_n_ctx");
        nBatch = fn("llama_n_batch");
        nSeqMax = fn("llama_n_seq_max");
        setNThreads = fn("llama_set_n_threads");
        modelGetVocab = fn("llama_model_get_vocab");
        modelNCtxTrain = fn("llama_model_n_ctx_train");
        modelNEmbd = fn("llama_model_n_embd");
        modelNHead = fn("llama_model_n_head");
        modelChatTemplate = fn("llama_model_chat_template");
        modelMetaValStr = fn("llama_model_meta_val_str");
        vocabNTokens = fn("llama_vocab_n_tokens");
        vocabGetAddBos = fn("llama_vocab_get_add_bos");
        vocabIsEog = fn("llama_vocab_is_eog");
        tokenize = fn("llama_tokenize");
        tokenToPiece = fn("llama_token_to_piece");
        chatApplyTemplate = fn("llama_chat_apply_template");
        setAbortCallback = fn("llama_set_abort_callback");
        decode = fn("llama_decode");
        samplerChainInit = fn("llama_sampler_chain_init");
        samplerChainAdd = fn("llama_sampler_chain_add");
        samplerChainGet = fn("llama_sampler_chain_get");
        samplerInitGreedy = fn("llama_sampler_init_greedy");
        samplerInitDist = fn("llama_sampler_init_dist");
        samplerInitTopK = fn("llama_sampler_init_top_k");
        samplerInitTopP = fn("llama_sampler_init_top_p");
        samplerInitMinP = fn("llama_sampler_init_min_p");
        samplerInitTypical = fn("llama_sampler_init_typical");
        samplerInitTemp = fn("llama_sampler_init_temp");
        samplerInitGrammar = fn("llama_sampler_init_grammar");
        samplerSample = fn("llama_sampler_sample");
        samplerAccept = fn("llama_sampler_accept");
        samplerFree = fn("llama_sampler_free");
        setEmbeddings = fn("llama_set_embeddings");
        getEmbeddingsIth = fn("llama_get_embeddings_ith");
    }

    /** A downcall to {@code name} with its signature from the table this binding was made with. */
    protected final MethodHandle fn(String name) {
        FunctionDescriptor descriptor = signatures.get(name);
        if (descriptor == null) throw new IllegalArgumentException("no signature written down for " + name);
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp " + release() + " symbol missing: " + name));
        return ForeignCalls.downcall(symbol, descriptor);
    }

    /** Routes llama.cpp's log to the current {@link #setLogHandler handler} and initialises the backend. */
    protected final void init() {
        try {
            // The upcall stub lives for the process: llama.cpp keeps the pointer in a global.
            logSet.invokeExact(LOG_UPCALL, MemorySegment.NULL);
            backendInit.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- what differs between releases ----

    /** The release's name: {@code b4916} or {@code v0.5.0}. */
    public abstract String release();

    /**
     * Loads the model at {@code path} for the CPU (no offload), memory-mapped or read; NULL when llama.cpp cannot
     * (the reason is in the log). Only the header and the vocabulary with {@code vocabOnly}.
     */
    public MemorySegment loadModel(String path, boolean useMmap, boolean vocabOnly) {
        Arena arena = Arena.global(); // once per process; llama.cpp may keep the path
        MemorySegment params = modelDefaultParams(arena);
        fields.nGpuLayers().set(params, 0L, 0);
        fields.vocabOnly().set(params, 0L, vocabOnly);
        setMmap(params, useMmap);
        try {
            return (MemorySegment) modelLoadFromFile.invokeExact(arena.allocateFrom(path), params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets {@code llama_model_params}' way of reading the file: a bool at b4916, an enum since. */
    protected abstract void setMmap(MemorySegment modelParams, boolean useMmap);

    /**
     * A context on {@code model}; NULL when it cannot be created (the reason is in the log). n_ubatch = n_batch as
     * Ollama's runner has it; pooling NONE whatever the model says (the runner pools embeddings itself: MEAN pooling
     * aborted the process at b4916); no performance counters.
     */
    public MemorySegment newContext(MemorySegment model, ContextSettings s) {
        MemorySegment cp = contextDefaultParams(Arena.global());
        fields.nCtx().set(cp, 0L, s.nCtx());
        fields.nBatch().set(cp, 0L, s.nBatch());
        fields.nUbatch().set(cp, 0L, s.nBatch());
        fields.nSeqMax().set(cp, 0L, s.nSeqMax());
        fields.nThreads().set(cp, 0L, s.nThreads());
        fields.nThreadsBatch().set(cp, 0L, s.nThreads());
        fields.typeK().set(cp, 0L, s.kvCacheGgmlType());
        fields.typeV().set(cp, 0L, s.kvCacheGgmlType());
        fields.noPerf().set(cp, 0L, true);
        fields.poolingType().set(cp, 0L, 0);
        fields.abortCallback().set(cp, 0L, s.abortCallback());
        fields.abortCallbackData().set(cp, 0L, MemorySegment.NULL);
        setReleaseContextFields(cp, s);
        try {
            return (MemorySegment) initFromModel.invokeExact(model, cp);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The context fields only this release has, or has in another form (flash attention: a bool, then an enum). */
    protected abstract void setReleaseContextFields(MemorySegment contextParams, ContextSettings s);

    public MemorySegment modelDefaultParams(SegmentAllocator alloc) {
        try {
            return (MemorySegment) modelDefaultParams.invokeExact(alloc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment contextDefaultParams(SegmentAllocator alloc) {
        try {
            return (MemorySegment) contextDefaultParams.invokeExact(alloc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** What the KV-cache calls operate on: the context (b4916) or its memory (v0.5.0). */
    protected MemorySegment memory(MemorySegment ctx) {
        return ctx;
    }

    /** Removes cells of sequence {@code seq} in [p0, p1) (p1 &lt; 0: to the end; seq &lt; 0: every sequence). */
    public boolean memorySeqRm(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            return (boolean) memorySeqRm.invokeExact(memory(ctx), seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Adds {@code delta} to the positions of sequence {@code seq} in [p0, p1). */
    public void memorySeqAdd(MemorySegment ctx, int seq, int p0, int p1, int delta) {
        try {
            memorySeqAdd.invokeExact(memory(ctx), seq, p0, p1, delta);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the KV cache can shift positions (a context shift). */
    public boolean memoryCanShift(MemorySegment ctx) {
        try {
            return (boolean) memoryCanShift.invokeExact(memory(ctx));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Empties the KV cache. */
    public abstract void memoryClear(MemorySegment ctx);

    /** The repetition-penalty sampler; {@code nVocab} is used by the releases that take it. */
    public abstract MemorySegment samplerInitPenalties(int nVocab, int lastN, float repeat, float freq, float present);

    /**
     * Whether the CPU backend's threads sleep while they wait for each other (OpenMP with a passive wait policy)
     * rather than spin at the barrier after every graph node (ggml's own thread pool). Decides how many threads
     * a one-token step gets: see the runner's {@code NativeModel}.
     */
    public boolean barriersSleep() {
        return openMpLoaded();
    }

    /** Whether libgomp (OpenMP's runtime) is mapped into this process: it is when the CPU backend links it. */
    static boolean openMpLoaded() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("libgomp")) return true;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    // ---- the calls both releases share ----

    /**
     * The architecture names the loaded library can load ({@code general.architecture} values), asked of the
     * library itself: {@code llm_arch_name} for each value of its {@code llm_arch} enum, which it answers with
     * "unknown" past the end. Empty when the library does not export that function.
     */
    public List<String> architectures() {
        var symbol = lib.find(ARCH_NAME_SYMBOL);
        if (symbol.isEmpty()) return List.of();
        MethodHandle archName = ForeignCalls.downcall(symbol.get(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        List<String> names = new ArrayList<>();
        try {
            int misses = 0;
            for (int arch = 0; arch < 1024 && misses < 16; arch++) {
                MemorySegment s = (MemorySegment) archName.invokeExact(arch);
                String name = s.equals(MemorySegment.NULL) ? "" : s.reinterpret(256).getString(0);
                if (name.isEmpty() || name.contains("unknown")) {
                    misses++;
                } else {
                    misses = 0;
                    names.add(name);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return names;
    }

    public MemorySegment samplerChainDefaultParams(SegmentAllocator alloc) {
        try {
            return (MemorySegment) samplerChainDefaultParams.invokeExact(alloc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void modelFree(MemorySegment model) {
        try {
            modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void free(MemorySegment ctx) {
        try {
            free.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment modelGetVocab(MemorySegment model) {
        try {
            return (MemorySegment) modelGetVocab.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int modelNCtxTrain(MemorySegment model) {
        try {
            return (int) modelNCtxTrain.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int modelNEmbd(MemorySegment model) {
        try {
            return (int) modelNEmbd.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int modelNHead(MemorySegment model) {
        try {
            return (int) modelNHead.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The model's {@code tokenizer.chat_template}, or null. */
    public String modelChatTemplate(MemorySegment model) {
        try {
            MemorySegment s = (MemorySegment) modelChatTemplate.invokeExact(model, MemorySegment.NULL);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A GGUF metadata value of the loaded model as text (numbers in decimal, bools as true/false), or null. */
    public String modelMeta(MemorySegment model, String key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(key);
            int size = 256;
            MemorySegment buf = arena.allocate(size);
            int n = (int) modelMetaValStr.invokeExact(model, k, buf, (long) size);
            if (n < 0) return null;
            if (n >= size) {
                size = n + 1;
                buf = arena.allocate(size);
                n = (int) modelMetaValStr.invokeExact(model, k, buf, (long) size);
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int nCtx(MemorySegment ctx) {
        try {
            return (int) nCtx.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int nBatch(MemorySegment ctx) {
        try {
            return (int) nBatch.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int nSeqMax(MemorySegment ctx) {
        try {
            return (int) nSeqMax.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Threads for one-token decodes and for larger batches, from the next decode on. */
    public void setThreads(MemorySegment ctx, int nThreads, int nThreadsBatch) {
        try {
            setNThreads.invokeExact(ctx, nThreads, nThreadsBatch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int vocabNTokens(MemorySegment vocab) {
        try {
            return (int) vocabNTokens.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public boolean vocabGetAddBos(MemorySegment vocab) {
        try {
            return (boolean) vocabGetAddBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Hazard: {@code token} must be in [0, n_vocab). */
    public boolean vocabIsEog(MemorySegment vocab, int token) {
        try {
            return (boolean) vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns the token count, or minus the count needed when {@code max} is too small. */
    public int tokenize(MemorySegment vocab, MemorySegment text, int textLen, MemorySegment tokens, int max,
            boolean addSpecial, boolean parseSpecial) {
        try {
            return (int) tokenize.invokeExact(vocab, text, textLen, tokens, max, addSpecial, parseSpecial);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Hazard: {@code token} must be in [0, n_vocab). Returns bytes written, or minus the size needed. */
    public int tokenToPiece(MemorySegment vocab, int token, MemorySegment buf, int len, int lstrip, boolean special) {
        try {
            return (int) tokenToPiece.invokeExact(vocab, token, buf, len, lstrip, special);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Returns the rendered length (may exceed {@code len}: call again with a larger buffer), or -1 when
     * llama.cpp does not recognise the template. Hazard: {@code nMsg} must be at least 1.
     */
    public int chatApplyTemplate(MemorySegment tmpl, MemorySegment chat, long nMsg, boolean addAss,
            MemorySegment buf, int len) {
        try {
            return (int) chatApplyTemplate.invokeExact(tmpl, chat, nMsg, addAss, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Installs (or, with NULL, removes) the callback llama.cpp polls after every graph node. */
    public void setAbortCallback(MemorySegment ctx, MemorySegment callback) {
        try {
            setAbortCallback.invokeExact(ctx, callback, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** 0 = ok, 1 = no KV slot for the batch, 2 = aborted (KV cache rolled back), negative = error. */
    public int decode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) decode.invokeExact(ctx, batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerChainInit(MemorySegment chainParams) {
        try {
            return (MemorySegment) samplerChainInit.invokeExact(chainParams);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void samplerChainAdd(MemorySegment chain, MemorySegment sampler) {
        try {
            samplerChainAdd.invokeExact(chain, sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerChainGet(MemorySegment chain, int i) {
        try {
            return (MemorySegment) samplerChainGet.invokeExact(chain, i);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitGreedy() {
        try {
            return (MemorySegment) samplerInitGreedy.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code seed} is a uint32; LLAMA_DEFAULT_SEED (0xFFFFFFFF) picks a random one. */
    public MemorySegment samplerInitDist(int seed) {
        try {
            return (MemorySegment) samplerInitDist.invokeExact(seed);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitTopK(int k) {
        try {
            return (MemorySegment) samplerInitTopK.invokeExact(k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitTopP(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitTopP.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitMinP(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitMinP.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitTypical(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitTypical.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitTemp(float t) {
        try {
            return (MemorySegment) samplerInitTemp.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** An invalid grammar gives NULL (or, at b4916, a sampler that constrains nothing); the parse error is logged. */
    public MemorySegment samplerInitGrammar(MemorySegment vocab, MemorySegment grammar, MemorySegment root) {
        try {
            return (MemorySegment) samplerInitGrammar.invokeExact(vocab, grammar, root);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Samples from output {@code idx} of the last decode and accepts the token into the chain's state. */
    public int samplerSample(MemorySegment sampler, MemorySegment ctx, int idx) {
        try {
            return (int) samplerSample.invokeExact(sampler, ctx, idx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void samplerAccept(MemorySegment sampler, int token) {
        try {
            samplerAccept.invokeExact(sampler, token);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void samplerFree(MemorySegment sampler) {
        try {
            samplerFree.invokeExact(sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether decodes on {@code ctx} extract embeddings (true) or logits (false). */
    public void setEmbeddings(MemorySegment ctx, boolean on) {
        try {
            setEmbeddings.invokeExact(ctx, on);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The {@code nEmbd} floats of batch position {@code i} of the last decode (which must have asked for an
     * output there), or null when llama.cpp has none for it.
     */
    public float[] embeddingsIth(MemorySegment ctx, int i, int nEmbd) {
        try {
            MemorySegment p = (MemorySegment) getEmbeddingsIth.invokeExact(ctx, i);
            if (p.equals(MemorySegment.NULL)) return null;
            return p.reinterpret((long) nEmbd * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public String systemInfo() {
        try {
            MemorySegment s = (MemorySegment) printSystemInfo.invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- upcalls and the process's end: the same whichever release is loaded ----

    private static volatile LogHandler logHandler = (level, text) -> System.err.print(text);

    /** Where llama.cpp's log goes from now on (default: the process's stderr). */
    public static void setLogHandler(LogHandler handler) {
        logHandler = Objects.requireNonNull(handler);
    }

    /** ggml_log_callback: {@code void (*)(enum ggml_log_level level, const char * text, void * user_data)}. */
    private static final MemorySegment LOG_UPCALL;
    /** ggml_abort_callback: {@code bool (*)(void * data)}; true = abort the running graph computation. */
    private static final FunctionDescriptor ABORT_CALLBACK = FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS);
    private static final MethodHandle BOOLEAN_SUPPLIER_GET;
    /** libc's {@code void _exit(int)}, bound up front so that exiting never fails half-way. */
    private static final MethodHandle EXIT = ForeignCalls.libc("_exit", FunctionDescriptor.ofVoid(JAVA_INT));

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle onLog = lookup.findStatic(LlamaCpp.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            LOG_UPCALL = ForeignCalls.upcall(onLog, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            BOOLEAN_SUPPLIER_GET = lookup.findVirtual(BooleanSupplier.class, "getAsBoolean",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // An exception escaping an upcall kills the JVM, so this catches everything.
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            if (!text.equals(MemorySegment.NULL)) {
                logHandler.log(level, text.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8));
            }
        } catch (Throwable ignored) {
            // nowhere safe to report it
        }
    }

    /**
     * An abort-callback stub that asks {@code shouldAbort} (which must be fast and must not throw: it runs on a
     * compute thread in the middle of {@code llama_decode}). Valid as long as {@code arena} is.
     */
    public static MemorySegment abortCallback(BooleanSupplier shouldAbort, Arena arena) {
        MethodHandle target = MethodHandles.dropArguments(BOOLEAN_SUPPLIER_GET.bindTo(shouldAbort), 0,
                MemorySegment.class);
        return ForeignCalls.upcall(target, ABORT_CALLBACK, arena);
    }

    /**
     * Ends the process at once with libc's {@code _exit}: no shutdown hooks, no C++ static destructors (ggml's
     * thread pools and OpenMP can hang or crash in them), no JVM teardown. A loaded llama.cpp keeps non-daemon
     * native threads, so the JVM would not exit on its own anyway.
     */
    public static void exitNow(int status) {
        System.err.flush();
        try {
            EXIT.invokeExact(status);
        } catch (Throwable t) {
            Runtime.getRuntime().halt(status);
        }
    }

    protected static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
