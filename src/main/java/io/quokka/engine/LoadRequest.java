package io.quokka.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a runner needs to load one model. These are Ollama's load-time options: a request that asks for
 * different values makes the model reload.
 *
 * @param modelFile      the GGUF blob, already validated by the store's GGUF reader
 * @param numCtx         context size in tokens (llama.cpp {@code n_ctx}), summed over all slots
 * @param numBatch       logical batch size for prompt processing
 * @param numThread      threads for generation and prompt processing
 * @param numParallel    sequences generated at once (llama.cpp slots), each gets {@code numCtx / numParallel}
 * @param useMmap        map the weights instead of reading them
 * @param flashAttention enable llama.cpp flash attention
 * @param kvCacheType    KV cache element type
 */
public record LoadRequest(
        Path modelFile,
        int numCtx,
        int numBatch,
        int numThread,
        int numParallel,
        boolean useMmap,
        boolean flashAttention,
        KvCacheType kvCacheType) {

    public LoadRequest {
        Objects.requireNonNull(modelFile, "modelFile");
        Objects.requireNonNull(kvCacheType, "kvCacheType");
        if (numCtx < 1) throw new IllegalArgumentException("numCtx must be positive: " + numCtx);
        if (numBatch < 1) throw new IllegalArgumentException("numBatch must be positive: " + numBatch);
        if (numThread < 1) throw new IllegalArgumentException("numThread must be positive: " + numThread);
        if (numParallel < 1) throw new IllegalArgumentException("numParallel must be positive: " + numParallel);
    }
}
