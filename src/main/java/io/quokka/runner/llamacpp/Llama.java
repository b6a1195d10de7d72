package io.quokka.runner.llamacpp;

import static io.quokka.runner.llamacpp.LlamaLayouts.BATCH;
import static io.quokka.runner.llamacpp.LlamaLayouts.CONTEXT_PARAMS;
import static io.quokka.runner.llamacpp.LlamaLayouts.MODEL_PARAMS;
import static io.quokka.runner.llamacpp.LlamaLayouts.SAMPLER_CHAIN_PARAMS;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * llama.cpp's C API (build b4916) through {@code java.lang.foreign}: every downcall and upcall the runner uses,
 * each described once. The methods are thin: they translate Java values to C ones and nothing else, so the
 * caller sees llama.cpp's own return conventions. Pointers to llama.cpp objects are plain {@link MemorySegment}s
 * of size zero; the caller owns their lifetime (free them exactly once).
 *
 * <p>Hazard: llama.cpp calls {@code abort()} on many misuses (out-of-range token ids, empty chat message lists,
 * a quantized K cache with an unsuitable head size...). Nothing here validates; the runner does, before calling.
 */
public final class Llama {
    /** Receives llama.cpp/ggml log output. Called on whatever thread logs; must not throw or block. */
    @FunctionalInterface
    public interface LogHandler {
        /** {@code level} is a {@code ggml_log_level}: 1 debug, 2 info, 3 warn, 4 error, 5 continuation. */
        void log(int level, String text);
    }

    public static final int LOG_ERROR = 4;

    private static volatile LogHandler logHandler = (level, text) -> System.err.print(text);

    private final MethodHandle backendInit, logSet, setAbortCallback, modelDefaultParams, contextDefaultParams,
            samplerChainDefaultParams, modelLoadFromFile, modelFree, initFromModel, free, modelGetVocab,
            modelNCtxTrain, modelNEmbd, modelNHead, modelChatTemplate, nCtx, nBatch, nSeqMax, vocabNTokens,
            vocabGetAddBos, vocabIsEog, tokenize, tokenToPiece, chatApplyTemplate, decode, kvSelfSeqRm,
            kvSelfSeqAdd, kvSelfClear, kvSelfCanShift, samplerChainInit, samplerChainAdd, samplerChainGet,
            samplerInitGreedy, samplerInitDist, samplerInitTopK, samplerInitTopP, samplerInitMinP,
            samplerInitTypical, samplerInitTemp, samplerInitPenalties, samplerInitGrammar, samplerSample,
            samplerAccept, samplerFree, printSystemInfo;

    private Llama(SymbolLookup lib) {
        backendInit = fn(lib, "llama_backend_init", FunctionDescriptor.ofVoid());
        // void llama_log_set(ggml_log_callback log_callback, void * user_data)
        logSet = fn(lib, "llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        modelDefaultParams = fn(lib, "llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        contextDefaultParams = fn(lib, "llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        samplerChainDefaultParams =
                fn(lib, "llama_sampler_chain_default_params", FunctionDescriptor.of(SAMPLER_CHAIN_PARAMS));
        // struct llama_model * llama_model_load_from_file(const char * path, struct llama_model_params params)
        modelLoadFromFile =
                fn(lib, "llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        modelFree = fn(lib, "llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        // struct llama_context * llama_init_from_model(struct llama_model *, struct llama_context_params)
        initFromModel = fn(lib, "llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        free = fn(lib, "llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = fn(lib, "llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelNCtxTrain = fn(lib, "llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNEmbd = fn(lib, "llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNHead = fn(lib, "llama_model_n_head", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // const char * llama_model_chat_template(const struct llama_model *, const char * name); NULL = default
        modelChatTemplate = fn(lib, "llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        nCtx = fn(lib, "llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));       // uint32_t
        nBatch = fn(lib, "llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));   // uint32_t
        nSeqMax = fn(lib, "llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS)); // uint32_t
        vocabNTokens = fn(lib, "llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabGetAddBos = fn(lib, "llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        vocabIsEog = fn(lib, "llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        // int32_t llama_tokenize(vocab, const char * text, int32_t text_len, llama_token * tokens,
        //                        int32_t n_tokens_max, bool add_special, bool parse_special)
        tokenize = fn(lib, "llama_tokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        // int32_t llama_token_to_piece(vocab, llama_token, char * buf, int32_t length, int32_t lstrip, bool special)
        tokenToPiece = fn(lib, "llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        // int32_t llama_chat_apply_template(const char * tmpl, const llama_chat_message * chat, size_t n_msg,
        //                                   bool add_ass, char * buf, int32_t length)
        chatApplyTemplate = fn(lib, "llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        // void llama_set_abort_callback(struct llama_context *, ggml_abort_callback, void * data)
        setAbortCallback = fn(lib, "llama_set_abort_callback", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        // int32_t llama_decode(struct llama_context *, struct llama_batch) -- batch by value
        decode = fn(lib, "llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        // bool llama_kv_self_seq_rm(ctx, llama_seq_id, llama_pos p0, llama_pos p1); p1 < 0 = to the end
        kvSelfSeqRm = fn(lib, "llama_kv_self_seq_rm",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        // void llama_kv_self_seq_add(ctx, llama_seq_id, llama_pos p0, llama_pos p1, llama_pos delta)
        kvSelfSeqAdd = fn(lib, "llama_kv_self_seq_add",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        kvSelfClear = fn(lib, "llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
        kvSelfCanShift = fn(lib, "llama_kv_self_can_shift", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        samplerChainInit = fn(lib, "llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, SAMPLER_CHAIN_PARAMS));
        // the chain takes ownership of the added sampler (freed with the chain)
        samplerChainAdd = fn(lib, "llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        samplerChainGet = fn(lib, "llama_sampler_chain_get", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        samplerInitGreedy = fn(lib, "llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        samplerInitDist = fn(lib, "llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT)); // uint32 seed
        samplerInitTopK = fn(lib, "llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // (float p, size_t min_keep)
        samplerInitTopP = fn(lib, "llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitMinP = fn(lib, "llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitTypical =
                fn(lib, "llama_sampler_init_typical", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitTemp = fn(lib, "llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        // b4916: 4 arguments (last_n, repeat, freq, present); the vocab-size/eos/newline variant is older
        samplerInitPenalties = fn(lib, "llama_sampler_init_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        // (const llama_vocab *, const char * grammar_str, const char * grammar_root)
        samplerInitGrammar =
                fn(lib, "llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // llama_token llama_sampler_sample(smpl, ctx, int32_t idx): applies the chain to the logits of output idx
        // (-1 = last) and ALSO calls llama_sampler_accept on the chosen token.
        samplerSample = fn(lib, "llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        samplerAccept = fn(lib, "llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        samplerFree = fn(lib, "llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
        printSystemInfo = fn(lib, "llama_print_system_info", FunctionDescriptor.of(ADDRESS));
    }

    /**
     * Opens the library at {@code libraryFile} (an extracted {@code libjllama.so}; the dynamic loader resolves its
     * {@code libgomp.so.1} from the system), routes llama.cpp's log to the current {@link #setLogHandler handler}
     * and initialises the backend. Call once per process.
     */
    public static Llama open(Path libraryFile) {
        SymbolLookup lib = SymbolLookup.libraryLookup(libraryFile, Arena.global());
        Llama llama = new Llama(lib);
        try {
            // The upcall stub lives for the process: llama.cpp keeps the pointer in a global.
            llama.logSet.invokeExact(LOG_UPCALL, MemorySegment.NULL);
            llama.backendInit.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return llama;
    }

    /** Where llama.cpp's log goes from now on (default: the process's stderr). */
    public static void setLogHandler(LogHandler handler) {
        logHandler = Objects.requireNonNull(handler);
    }

    // ---- upcalls ----

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
            MethodHandle onLog = lookup.findStatic(Llama.class, "onLog",
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

    // ---- downcalls ----

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

    /** Returns NULL when the model cannot be loaded (the reason is in the log). */
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

    /** Returns NULL when the context cannot be created (the reason is in the log). */
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

    public boolean kvSelfSeqRm(MemorySegment ctx, int seq, int p0, int p1) {
        try {
            return (boolean) kvSelfSeqRm.invokeExact(ctx, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void kvSelfSeqAdd(MemorySegment ctx, int seq, int p0, int p1, int delta) {
        try {
            kvSelfSeqAdd.invokeExact(ctx, seq, p0, p1, delta);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void kvSelfClear(MemorySegment ctx) {
        try {
            kvSelfClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public boolean kvSelfCanShift(MemorySegment ctx) {
        try {
            return (boolean) kvSelfCanShift.invokeExact(ctx);
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

    public MemorySegment samplerInitPenalties(int lastN, float repeat, float freq, float present) {
        try {
            return (MemorySegment) samplerInitPenalties.invokeExact(lastN, repeat, freq, present);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An invalid grammar gives a sampler that constrains nothing; the parse error only reaches the log. */
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

    public String systemInfo() {
        try {
            MemorySegment s = (MemorySegment) printSystemInfo.invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
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

    private static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp symbol missing: " + name));
        return ForeignCalls.downcall(symbol, descriptor);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
