package io.quokka.runner.llamacpp;

import static io.quokka.runner.llamacpp.LlamaLayouts.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llama.cpp build b4916, the {@code libjllama.so} bundled in {@code de.kherud:llama} 4.2.0 (March 2025, AVX2, OpenMP):
 * the engine a machine without the current release runs. What differs from {@link LlamaCpp#COMMON}: the parameter
 * structs ({@link LlamaLayouts}), the {@code llama_kv_self_*} KV-cache calls and a 4-argument penalties sampler.
 *
 * <p>Hazard: llama.cpp's own pooling (context {@code pooling_type} MEAN) aborts the process at this build, so the
 * runner creates every context with pooling NONE and pools per-token embeddings itself.
 */
public final class LlamaB4916 extends LlamaCpp {
    public static final String RELEASE = "b4916";

    /** Every call this binding makes: {@link #COMMON} and this build's own. */
    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> s = new LinkedHashMap<>(COMMON);
        s.put("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        s.put("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        // struct llama_model * llama_model_load_from_file(const char * path, struct llama_model_params params)
        s.put("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        // struct llama_context * llama_init_from_model(struct llama_model *, struct llama_context_params)
        s.put("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        // bool llama_kv_self_seq_rm(ctx, llama_seq_id, llama_pos p0, llama_pos p1); p1 < 0 = to the end
        s.put("llama_kv_self_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        // void llama_kv_self_seq_add(ctx, llama_seq_id, llama_pos p0, llama_pos p1, llama_pos delta)
        s.put("llama_kv_self_seq_add", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        s.put("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
        s.put("llama_kv_self_can_shift", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        // b4916: 4 arguments (last_n, repeat, freq, present)
        s.put("llama_sampler_init_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        return Collections.unmodifiableMap(s);
    }

    /** The fields set the same way on both releases, in this build's layouts. */
    private static final ParamFields FIELDS = new ParamFields(MP_N_GPU_LAYERS, MP_VOCAB_ONLY, CP_N_CTX, CP_N_BATCH,
            CP_N_UBATCH, CP_N_SEQ_MAX, CP_N_THREADS, CP_N_THREADS_BATCH, CP_TYPE_K, CP_TYPE_V, CP_NO_PERF,
            CP_POOLING_TYPE, CP_ABORT_CALLBACK, CP_ABORT_CALLBACK_DATA);

    private final MethodHandle kvSelfClear, samplerInitPenalties;

    private LlamaB4916(SymbolLookup lib) {
        super(lib, SIGNATURES, FIELDS, "llama_kv_self_");
        kvSelfClear = fn("llama_kv_self_clear");
        samplerInitPenalties = fn("llama_sampler_init_penalties");
    }

    /**
     * Opens the library at {@code libraryFile} (an extracted {@code libjllama.so}; the dynamic loader resolves its
     * {@code libgomp.so.1} from the system), routes llama.cpp's log to the current handler and initialises the
     * backend. Call once per process.
     */
    public static LlamaB4916 open(Path libraryFile) {
        LlamaB4916 llama = new LlamaB4916(SymbolLookup.libraryLookup(libraryFile, Arena.global()));
        llama.init();
        return llama;
    }

    @Override
    public String release() {
        return RELEASE;
    }

    @Override
    protected void setMmap(MemorySegment modelParams, boolean useMmap) {
        MP_USE_MMAP.set(modelParams, 0L, useMmap);
    }

    @Override
    protected void setReleaseContextFields(MemorySegment contextParams, ContextSettings s) {
        CP_FLASH_ATTN.set(contextParams, 0L, s.flashAttention());
    }

    @Override
    public void memoryClear(MemorySegment ctx) {
        try {
            kvSelfClear.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment samplerInitPenalties(int nVocab, int lastN, float repeat, float freq, float present) {
        try {
            return (MemorySegment) samplerInitPenalties.invokeExact(lastN, repeat, freq, present);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
