package io.quokka.runner.llamacpp.v050;

import static io.quokka.runner.llamacpp.v050.LayoutsV050.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.runner.llamacpp.ForeignCalls;
import io.quokka.runner.llamacpp.LlamaCpp;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llama.cpp release v0.5.0 (ggml-org, 2026) through {@code java.lang.foreign}: the engine the runner uses when the
 * release is present ({@link io.quokka.runner.llamacpp.EngineDir}). What differs from b4916 is bound here: the
 * parameter structs ({@link LayoutsV050}: {@code load_mode} instead of {@code use_mmap}, a flash-attention enum,
 * {@code kv_unified}...), the {@code llama_memory_*} calls on {@code llama_get_memory(ctx)} that replace
 * {@code llama_kv_self_*}, and the penalties sampler, which takes {@code n_vocab} first.
 *
 * <p>ggml is split into {@code libggml.v0.5.0.so}, {@code libggml-base.so} and CPU backends
 * {@code libggml-cpu-<arch>.so} that must be loaded explicitly with {@code ggml_backend_load_all_from_path} (without
 * it llama.cpp has no CPU backend). The prebuilt backends have no OpenMP: their threads spin at every barrier
 * ({@link #barriersSleep()} is false for them).
 */
public final class LlamaV050 extends LlamaCpp {
    /** The release this binding is written against. */
    public static final String RELEASE = "v0.5.0";
    public static final String LIBLLAMA = "libllama." + RELEASE + ".so";
    public static final String LIBGGML = "libggml." + RELEASE + ".so";

    /**
     * The C signature of every function this binding calls, by name, each written once ({@link LlamaCpp#COMMON} and
     * this release's own): {@code SignaturesV050Test} checks them against the prototypes in the release's headers.
     */
    public static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> s = new LinkedHashMap<>(COMMON);
        s.put("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        s.put("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        // struct llama_model * llama_model_load_from_file(const char * path_model, struct llama_model_params params)
        s.put("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        // struct llama_context * llama_init_from_model(struct llama_model * model, struct llama_context_params params)
        s.put("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        // struct llama_batch llama_batch_get_one(llama_token * tokens, int32_t n_tokens): returned by value
        s.put("llama_batch_get_one", FunctionDescriptor.of(BATCH, ADDRESS, JAVA_INT));
        // void llama_attach_threadpool(struct llama_context *, ggml_threadpool_t threadpool, ggml_threadpool_t batch)
        s.put("llama_attach_threadpool", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        s.put("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
        s.put("llama_memory_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        s.put("llama_memory_seq_add", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        // void llama_memory_clear(llama_memory_t mem, bool data)
        s.put("llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        s.put("llama_memory_can_shift", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        // (int32_t n_vocab, int32_t penalty_last_n, float repeat, float freq, float present)
        s.put("llama_sampler_init_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        s.put("ggml_backend_load_all_from_path", FunctionDescriptor.ofVoid(ADDRESS));
        s.put("ggml_threadpool_params_init", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        s.put("ggml_backend_reg_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
        s.put("ggml_backend_reg_get_proc_address", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        s.put("ggml_threadpool_new", FunctionDescriptor.of(ADDRESS, ADDRESS));
        return Collections.unmodifiableMap(s);
    }

    /** The fields set the same way on both releases, in this release's layouts. */
    private static final ParamFields FIELDS = new ParamFields(MP_N_GPU_LAYERS, MP_VOCAB_ONLY, CP_N_CTX, CP_N_BATCH,
            CP_N_UBATCH, CP_N_SEQ_MAX, CP_N_THREADS, CP_N_THREADS_BATCH, CP_TYPE_K, CP_TYPE_V, CP_NO_PERF,
            CP_POOLING_TYPE, CP_ABORT_CALLBACK, CP_ABORT_CALLBACK_DATA);

    private final MethodHandle batchGetOne, attachThreadpool, getMemory, memoryClear, samplerInitPenalties;
    private MethodHandle threadpoolParamsInit, threadpoolNew;

    private LlamaV050(SymbolLookup lib) {
        super(lib, SIGNATURES, FIELDS, "llama_memory_");
        batchGetOne = fn("llama_batch_get_one");
        attachThreadpool = fn("llama_attach_threadpool");
        getMemory = fn("llama_get_memory");
        memoryClear = fn("llama_memory_clear");
        samplerInitPenalties = fn("llama_sampler_init_penalties");
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
            api.init();
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

    @Override
    public String release() {
        return RELEASE;
    }

    @Override
    protected void setMmap(MemorySegment modelParams, boolean useMmap) {
        MP_LOAD_MODE.set(modelParams, 0L, useMmap ? LOAD_MODE_MMAP : LOAD_MODE_NONE);
    }

    /**
     * Flash attention on or off, never "auto" (the memory guard must know), and one unified KV cache shared by the
     * {@code nSeqMax} sequences, as at b4916 (a sequence may use any free cell; the runner gives each
     * {@code nCtx / nSeqMax}).
     */
    @Override
    protected void setReleaseContextFields(MemorySegment contextParams, ContextSettings s) {
        CP_FLASH_ATTN_TYPE.set(contextParams, 0L, s.flashAttention() ? FLASH_ATTN_ENABLED : FLASH_ATTN_DISABLED);
        CP_KV_UNIFIED.set(contextParams, 0L, true);
    }

    /**
     * Gives {@code ctx} a thread pool of {@code nThreads} with polling level {@code poll} (0 = sleep instead of
     * spinning between graph computations; the barriers inside one still spin) for generation and batches alike.
     * The pool is never freed (it must outlive the context; one per process). False when the CPU backend does not
     * offer {@code ggml_threadpool_new}.
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

    /** A batch of {@code n} tokens of sequence 0 at the next positions (llama.cpp fills in the rest). */
    public MemorySegment batchGetOne(SegmentAllocator alloc, MemorySegment tokens, int n) {
        try {
            return (MemorySegment) batchGetOne.invokeExact(alloc, tokens, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected MemorySegment memory(MemorySegment ctx) {
        try {
            return (MemorySegment) getMemory.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Empties the KV cache, its data buffers included (as {@code llama_kv_self_clear} did). */
    @Override
    public void memoryClear(MemorySegment ctx) {
        try {
            memoryClear.invokeExact(memory(ctx), true);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment samplerInitPenalties(int nVocab, int lastN, float repeat, float freq, float present) {
        try {
            return (MemorySegment) samplerInitPenalties.invokeExact(nVocab, lastN, repeat, freq, present);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String name) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp " + RELEASE + " symbol missing: " + name));
        return ForeignCalls.downcall(symbol, SIGNATURES.get(name));
    }
}
