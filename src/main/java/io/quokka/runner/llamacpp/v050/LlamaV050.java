package io.quokka.runner.llamacpp.v050;

import static io.quokka.runner.llamacpp.v050.LayoutsV050.BATCH;
import static io.quokka.runner.llamacpp.v050.LayoutsV050.CONTEXT_PARAMS;
import static io.quokka.runner.llamacpp.v050.LayoutsV050.MODEL_PARAMS;
import static io.quokka.runner.llamacpp.v050.LayoutsV050.SAMPLER_CHAIN_PARAMS;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.quokka.runner.llamacpp.ForeignCalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of llama.cpp release v0.5.0's C API needed to load a model and generate greedily, through
 * {@code java.lang.foreign}: a first step towards running the runner on the current engine (the b4916 binding,
 * {@link io.quokka.runner.llamacpp.Llama}, is unchanged and still what the runner uses). Thin like that one: C values
 * in, C values out, llama.cpp's own return conventions, no validation.
 *
 * <p>Differences from b4916 met here: ggml is split into {@code libggml.v0.5.0.so}, {@code libggml-base.so} and CPU
 * backends {@code libggml-cpu-<arch>.so} that must be loaded explicitly with {@code ggml_backend_load_all_from_path}
 * (without it llama.cpp has no CPU backend); the structs changed ({@link LayoutsV050}).
 */
public final class LlamaV050 {
    /** The release this binding is written against. */
    public static final String RELEASE = "v0.5.0";
    public static final String LIBLLAMA = "libllama." + RELEASE + ".so";
    public static final String LIBGGML = "libggml." + RELEASE + ".so";

    /**
     * The C signature of every function this binding calls, by name, each written once: {@code SignaturesV050Test}
     * checks them against the prototypes in the release's headers without loading the library.
     */
    static final Map<String, FunctionDescriptor> SIGNATURES = new LinkedHashMap<>();

    static {
        SIGNATURES.put("llama_backend_init", FunctionDescriptor.ofVoid());
        SIGNATURES.put("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
        SIGNATURES.put("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        SIGNATURES.put("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        SIGNATURES.put("llama_sampler_chain_default_params", FunctionDescriptor.of(SAMPLER_CHAIN_PARAMS));
        SIGNATURES.put("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        SIGNATURES.put("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        SIGNATURES.put("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        SIGNATURES.put("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        SIGNATURES.put("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        SIGNATURES.put("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        SIGNATURES.put("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        SIGNATURES.put("llama_batch_get_one", FunctionDescriptor.of(BATCH, ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        SIGNATURES.put("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, SAMPLER_CHAIN_PARAMS));
        SIGNATURES.put("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        SIGNATURES.put("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        SIGNATURES.put("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
        SIGNATURES.put("llama_attach_threadpool", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        SIGNATURES.put("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        SIGNATURES.put("llama_set_abort_callback", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        SIGNATURES.put("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_model_n_head", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        SIGNATURES.put("llama_model_meta_val_str", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        SIGNATURES.put("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        SIGNATURES.put("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        SIGNATURES.put("llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
        SIGNATURES.put("llama_memory_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        SIGNATURES.put("llama_memory_seq_add", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        SIGNATURES.put("llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        SIGNATURES.put("llama_memory_can_shift", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        SIGNATURES.put("llama_sampler_chain_get", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        SIGNATURES.put("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        SIGNATURES.put("llama_sampler_init_typical", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        SIGNATURES.put("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        SIGNATURES.put("llama_sampler_init_penalties", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        SIGNATURES.put("llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        SIGNATURES.put("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        SIGNATURES.put("llama_set_embeddings", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        SIGNATURES.put("llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        SIGNATURES.put("ggml_backend_load_all_from_path", FunctionDescriptor.ofVoid(ADDRESS));
        SIGNATURES.put("ggml_threadpool_params_init", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        SIGNATURES.put("ggml_backend_reg_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        SIGNATURES.put("ggml_backend_reg_get_proc_address", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        SIGNATURES.put("ggml_threadpool_new", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    private final MethodHandle backendInit, printSystemInfo, modelDefaultParams, contextDefaultParams,
            samplerChainDefaultParams, modelLoadFromFile, modelFree, initFromModel, free, modelGetVocab,
            vocabNTokens, vocabIsEog, tokenize, tokenToPiece, batchGetOne, decode, samplerChainInit, samplerChainAdd,
            samplerInitGreedy, samplerSample, samplerFree, nCtx, attachThreadpool;
    // the rest of what the runner's b4916 binding calls, in this release's form
    private final MethodHandle logSet, setAbortCallback, modelNCtxTrain, modelNEmbd, modelNHead, modelChatTemplate, modelMetaValStr, nBatch, nSeqMax, vocabGetAddBos, chatApplyTemplate, getMemory, memorySeqRm, memorySeqAdd, memoryClear, memoryCanShift, samplerChainGet, samplerInitDist, samplerInitTopK, samplerInitTopP, samplerInitMinP, samplerInitTypical, samplerInitTemp, samplerInitPenalties, samplerInitGrammar, samplerAccept, setEmbeddings, getEmbeddingsIth;
    private MethodHandle threadpoolParamsInit, threadpoolNew;

    private LlamaV050(SymbolLookup lib) {
        backendInit = fn(lib, "llama_backend_init");
        printSystemInfo = fn(lib, "llama_print_system_info");
        modelDefaultParams = fn(lib, "llama_model_default_params");
        contextDefaultParams = fn(lib, "llama_context_default_params");
        samplerChainDefaultParams = fn(lib, "llama_sampler_chain_default_params");
        // struct llama_model * llama_model_load_from_file(const char * path_model, struct llama_model_params params)
        modelLoadFromFile = fn(lib, "llama_model_load_from_file");
        modelFree = fn(lib, "llama_model_free");
        // struct llama_context * llama_init_from_model(struct llama_model * model, struct llama_context_params params)
        initFromModel = fn(lib, "llama_init_from_model");
        free = fn(lib, "llama_free");
        nCtx = fn(lib, "llama_n_ctx"); // uint32_t
        modelGetVocab = fn(lib, "llama_model_get_vocab");
        vocabNTokens = fn(lib, "llama_vocab_n_tokens");
        vocabIsEog = fn(lib, "llama_vocab_is_eog");
        // int32_t llama_tokenize(const struct llama_vocab *, const char * text, int32_t text_len,
        //                        llama_token * tokens, int32_t n_tokens_max, bool add_special, bool parse_special)
        tokenize = fn(lib, "llama_tokenize");
        // int32_t llama_token_to_piece(const struct llama_vocab *, llama_token, char * buf, int32_t length,
        //                              int32_t lstrip, bool special)
        tokenToPiece = fn(lib, "llama_token_to_piece");
        // struct llama_batch llama_batch_get_one(llama_token * tokens, int32_t n_tokens): returned by value
        batchGetOne = fn(lib, "llama_batch_get_one");
        // int32_t llama_decode(struct llama_context * ctx, struct llama_batch batch): batch by value
        decode = fn(lib, "llama_decode");
        samplerChainInit = fn(lib, "llama_sampler_chain_init");
        samplerChainAdd = fn(lib, "llama_sampler_chain_add");
        samplerInitGreedy = fn(lib, "llama_sampler_init_greedy");
        // llama_token llama_sampler_sample(struct llama_sampler *, struct llama_context *, int32_t idx)
        samplerSample = fn(lib, "llama_sampler_sample");
        samplerFree = fn(lib, "llama_sampler_free");
        // void llama_attach_threadpool(struct llama_context *, ggml_threadpool_t threadpool, ggml_threadpool_t batch)
        attachThreadpool = fn(lib, "llama_attach_threadpool");
        logSet = fn(lib, "llama_log_set");
        setAbortCallback = fn(lib, "llama_set_abort_callback");
        modelNCtxTrain = fn(lib, "llama_model_n_ctx_train");
        modelNEmbd = fn(lib, "llama_model_n_embd");
        modelNHead = fn(lib, "llama_model_n_head");
        modelChatTemplate = fn(lib, "llama_model_chat_template");
        modelMetaValStr = fn(lib, "llama_model_meta_val_str");
        nBatch = fn(lib, "llama_n_batch");
        nSeqMax = fn(lib, "llama_n_seq_max");
        vocabGetAddBos = fn(lib, "llama_vocab_get_add_bos");
        chatApplyTemplate = fn(lib, "llama_chat_apply_template");
        getMemory = fn(lib, "llama_get_memory");
        memorySeqRm = fn(lib, "llama_memory_seq_rm");
        memorySeqAdd = fn(lib, "llama_memory_seq_add");
        memoryClear = fn(lib, "llama_memory_clear");
        memoryCanShift = fn(lib, "llama_memory_can_shift");
        samplerChainGet = fn(lib, "llama_sampler_chain_get");
        samplerInitDist = fn(lib, "llama_sampler_init_dist");
        samplerInitTopK = fn(lib, "llama_sampler_init_top_k");
        samplerInitTopP = fn(lib, "llama_sampler_init_top_p");
        samplerInitMinP = fn(lib, "llama_sampler_init_min_p");
        samplerInitTypical = fn(lib, "llama_sampler_init_typical");
        samplerInitTemp = fn(lib, "llama_sampler_init_temp");
        samplerInitPenalties = fn(lib, "llama_sampler_init_penalties");
        samplerInitGrammar = fn(lib, "llama_sampler_init_grammar");
        samplerAccept = fn(lib, "llama_sampler_accept");
        setEmbeddings = fn(lib, "llama_set_embeddings");
        getEmbeddingsIth = fn(lib, "llama_get_embeddings_ith");
    }

    /**
     * Loads the release from {@code dir} (see {@link io.quokka.runner.llamacpp.EngineDir}): {@code libggml} first,
     * then {@code libllama} (both find {@code libggml-base.so} next to them through their {@code $ORIGIN} run path),
     * then the CPU backends with {@code ggml_backend_load_all_from_path(dir)} (ggml picks the best one for this CPU),
     * then {@code llama_backend_init}. Once per process; the libraries stay loaded until it exits.
     */
    public static LlamaV050 open(Path dir) {
        Path ggmlFile = dir.resolve(LIBGGML);
        Path llamaFile = dir.resolve(LIBLLAMA);
        if (!Files.isRegularFile(ggmlFile) || !Files.isRegularFile(llamaFile)) {
            throw new IllegalArgumentException("no " + LIBGGML + " and " + LIBLLAMA + " in " + dir);
        }
        SymbolLookup ggml = SymbolLookup.libraryLookup(ggmlFile, Arena.global());
        SymbolLookup llama = SymbolLookup.libraryLookup(llamaFile, Arena.global());
        // void ggml_backend_load_all_from_path(const char * dir_path)
        MethodHandle loadAll = fn(ggml, "ggml_backend_load_all_from_path");
        LlamaV050 api = new LlamaV050(llama);
        try {
            loadAll.invokeExact(Arena.global().allocateFrom(dir.toAbsolutePath().toString()));
            api.backendInit.invokeExact();
            // The thread pool functions live in the CPU backend library ggml chose at run time (libggml-cpu-<arch>.so):
            // ask its registry for them. void ggml_threadpool_params_init(struct ggml_threadpool_params *, int) is
            // in libggml-base.
            api.threadpoolParamsInit = fn(ggml, "ggml_threadpool_params_init");
            MethodHandle regByName = fn(ggml, "ggml_backend_reg_by_name");
            MethodHandle procAddress = fn(ggml, "ggml_backend_reg_get_proc_address");
            MemorySegment cpu = (MemorySegment) regByName.invokeExact(Arena.global().allocateFrom("CPU"));
            if (!cpu.equals(MemorySegment.NULL)) {
                MemorySegment tpNew = (MemorySegment) procAddress.invokeExact(cpu,
                        Arena.global().allocateFrom("ggml_threadpool_new"));
                if (!tpNew.equals(MemorySegment.NULL)) {
                    // struct ggml_threadpool * ggml_threadpool_new(struct ggml_threadpool_params * params)
                    api.threadpoolNew = ForeignCalls.downcall(tpNew, SIGNATURES.get("ggml_threadpool_new"));
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return api;
    }

    /**
     * Gives {@code ctx} a thread pool of {@code nThreads} with polling level {@code poll} (0 = sleep instead of
     * spinning) for generation and batches alike. Without one, llama.cpp uses a pool with the default polling (50).
     * The pool is never freed (it must outlive the context; one per runner process). False when the CPU backend does
     * not offer {@code ggml_threadpool_new}.
     */
    public boolean attachThreadpool(MemorySegment ctx, int nThreads, int poll) {
        if (threadpoolNew == null) return false;
        try {
            MemorySegment params = Arena.global().allocate(LayoutsV050.THREADPOOL_PARAMS);
            threadpoolParamsInit.invokeExact(params, nThreads);
            LayoutsV050.TP_POLL.set(params, 0L, poll);
            MemorySegment pool = (MemorySegment) threadpoolNew.invokeExact(params);
            if (pool.equals(MemorySegment.NULL)) return false;
            attachThreadpool.invokeExact(ctx, pool, pool);
            return true;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public String systemInfo() {
        try {
            return ((MemorySegment) printSystemInfo.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

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

    public MemorySegment samplerChainDefaultParams(SegmentAllocator alloc) {
        try {
            return (MemorySegment) samplerChainDefaultParams.invokeExact(alloc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** NULL when the model cannot be loaded (the reason is in llama.cpp's log). */
    public MemorySegment modelLoadFromFile(MemorySegment path, MemorySegment modelParams) {
        try {
            return (MemorySegment) modelLoadFromFile.invokeExact(path, modelParams);
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

    /** NULL when the context cannot be created. */
    public MemorySegment initFromModel(MemorySegment model, MemorySegment contextParams) {
        try {
            return (MemorySegment) initFromModel.invokeExact(model, contextParams);
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

    public int nCtx(MemorySegment ctx) {
        try {
            return (int) nCtx.invokeExact(ctx);
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

    public int vocabNTokens(MemorySegment vocab) {
        try {
            return (int) vocabNTokens.invokeExact(vocab);
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

    /** The token count, or minus the count needed when {@code max} is too small. */
    public int tokenize(MemorySegment vocab, MemorySegment text, int textLen, MemorySegment tokens, int max,
            boolean addSpecial, boolean parseSpecial) {
        try {
            return (int) tokenize.invokeExact(vocab, text, textLen, tokens, max, addSpecial, parseSpecial);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Hazard: {@code token} must be in [0, n_vocab). Bytes written, or minus the size needed. */
    public int tokenToPiece(MemorySegment vocab, int token, MemorySegment buf, int len, int lstrip, boolean special) {
        try {
            return (int) tokenToPiece.invokeExact(vocab, token, buf, len, lstrip, special);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A batch over {@code tokens} (not copied: keep them alive until decoded) for sequence 0, positions tracked by llama.cpp. */
    public MemorySegment batchGetOne(SegmentAllocator alloc, MemorySegment tokens, int n) {
        try {
            return (MemorySegment) batchGetOne.invokeExact(alloc, tokens, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** 0 = ok, 1 = no KV slot for the batch, 2 = aborted, negative = error. */
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

    /** The chain takes ownership of {@code sampler}. */
    public void samplerChainAdd(MemorySegment chain, MemorySegment sampler) {
        try {
            samplerChainAdd.invokeExact(chain, sampler);
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

    /** Samples from output {@code idx} (-1 = last) of the last decode, and accepts the token into the chain. */
    public int samplerSample(MemorySegment sampler, MemorySegment ctx, int idx) {
        try {
            return (int) samplerSample.invokeExact(sampler, ctx, idx);
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

    /** Routes llama.cpp's and ggml's log to {@code callback} (a ggml_log_callback upcall). */
    public void logSet(MemorySegment callback, MemorySegment userData) {
        try {
            logSet.invokeExact(callback, userData);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Installs (or, with NULL, removes) the callback polled during graph computation. */
    public void setAbortCallback(MemorySegment ctx, MemorySegment callback, MemorySegment data) {
        try {
            setAbortCallback.invokeExact(ctx, callback, data);
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

    /** The model's chat template ({@code name} NULL = default), or NULL. */
    public MemorySegment modelChatTemplate(MemorySegment model, MemorySegment name) {
        try {
            return (MemorySegment) modelChatTemplate.invokeExact(model, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Length of the value of {@code key}, or -1. */
    public int modelMetaValStr(MemorySegment model, MemorySegment key, MemorySegment buf, long size) {
        try {
            return (int) modelMetaValStr.invokeExact(model, key, buf, size);
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

    public boolean vocabGetAddBos(MemorySegment vocab) {
        try {
            return (boolean) vocabGetAddBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Rendered length, or -1 for a template llama.cpp does not know. Hazard: {@code nMsg} at least 1. */
    public int chatApplyTemplate(MemorySegment tmpl, MemorySegment chat, long nMsg, boolean addAss, MemorySegment buf, int len) {
        try {
            return (int) chatApplyTemplate.invokeExact(tmpl, chat, nMsg, addAss, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The context's memory (KV cache): what b4916's {@code llama_kv_self_*} functions took a context for. */
    public MemorySegment getMemory(MemorySegment ctx) {
        try {
            return (MemorySegment) getMemory.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Removes positions [p0, p1) of a sequence (p1 &lt; 0 = to the end); b4916's {@code llama_kv_self_seq_rm}. */
    public boolean memorySeqRm(MemorySegment mem, int seq, int p0, int p1) {
        try {
            return (boolean) memorySeqRm.invokeExact(mem, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Shifts positions [p0, p1) by {@code delta}; b4916's {@code llama_kv_self_seq_add}. */
    public void memorySeqAdd(MemorySegment mem, int seq, int p0, int p1, int delta) {
        try {
            memorySeqAdd.invokeExact(mem, seq, p0, p1, delta);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Empties the memory (and its buffers when {@code data}); b4916's {@code llama_kv_self_clear}. */
    public void memoryClear(MemorySegment mem, boolean data) {
        try {
            memoryClear.invokeExact(mem, data);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public boolean memoryCanShift(MemorySegment mem) {
        try {
            return (boolean) memoryCanShift.invokeExact(mem);
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

    /** {@code seed} is a uint32; 0xFFFFFFFF picks a random one. */
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

    /** v0.5.0 takes the vocabulary size first (b4916: 4 parameters, no n_vocab). */
    public MemorySegment samplerInitPenalties(int nVocab, int lastN, float repeat, float freq, float present) {
        try {
            return (MemorySegment) samplerInitPenalties.invokeExact(nVocab, lastN, repeat, freq, present);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment samplerInitGrammar(MemorySegment vocab, MemorySegment grammar, MemorySegment root) {
        try {
            return (MemorySegment) samplerInitGrammar.invokeExact(vocab, grammar, root);
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

    public void setEmbeddings(MemorySegment ctx, boolean on) {
        try {
            setEmbeddings.invokeExact(ctx, on);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** NULL for an invalid {@code i}. */
    public MemorySegment getEmbeddingsIth(MemorySegment ctx, int i) {
        try {
            return (MemorySegment) getEmbeddingsIth.invokeExact(ctx, i);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String name) {
        FunctionDescriptor descriptor = SIGNATURES.get(name);
        if (descriptor == null) throw new IllegalArgumentException("no signature written down for " + name);
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp " + RELEASE + " symbol missing: " + name));
        return ForeignCalls.downcall(symbol, descriptor);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
