package io.quokka.generation;

import io.quokka.engine.SamplingParams;
import java.util.List;

/**
 * Ollama's model options after merging defaults, the model's params layer and the request. Runtime options shape
 * one generation; load-time options ({@code num_ctx}, {@code num_batch}, {@code num_thread}, {@code use_mmap})
 * decide which runner serves it.
 */
public record Options(
        int numKeep,
        long seed,
        int numPredict,
        int topK,
        float topP,
        float minP,
        float typicalP,
        int repeatLastN,
        float temperature,
        float repeatPenalty,
        float presencePenalty,
        float frequencyPenalty,
        List<String> stop,
        int numCtx,
        int numBatch,
        int numThread,
        boolean useMmap) {

    public SamplingParams sampling() {
        return new SamplingParams(temperature, topK, topP, minP, typicalP, repeatPenalty, repeatLastN,
                presencePenalty, frequencyPenalty, seed);
    }
}
