package io.quokka.runner.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The llama.cpp (b4916) calls embeddings need, beside {@link Llama}'s: switching a context's embedding output on
 * and off, reading per-token embeddings, and reading GGUF metadata (pooling type, causal attention) from the
 * loaded model. Same conventions as {@link Llama}: thin, no validation. Looks the symbols up in the same
 * {@code libjllama.so} (the dynamic loader hands back the library {@link Llama#open} already loaded).
 *
 * <p>Hazard: llama.cpp's own pooling (context {@code pooling_type} MEAN) aborts the process at this build, so the
 * runner creates every context with pooling NONE and pools per-token embeddings itself.
 */
public final class LlamaEmbedding {
    private final MethodHandle setEmbeddings, getEmbeddingsIth, modelMetaValStr;

    private LlamaEmbedding(SymbolLookup lib) {
        // void llama_set_embeddings(struct llama_context * ctx, bool embeddings)
        setEmbeddings = fn(lib, "llama_set_embeddings", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        // float * llama_get_embeddings_ith(struct llama_context * ctx, int32_t i); NULL for an invalid i
        getEmbeddingsIth = fn(lib, "llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        // int32_t llama_model_meta_val_str(const struct llama_model *, const char * key, char * buf, size_t size)
        modelMetaValStr = fn(lib, "llama_model_meta_val_str",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** Looks the embedding calls up in the library at {@code libraryFile} (already opened by {@link Llama#open}). */
    public static LlamaEmbedding open(Path libraryFile) {
        return new LlamaEmbedding(SymbolLookup.libraryLookup(libraryFile, Arena.global()));
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
