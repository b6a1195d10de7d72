package io.quokka.engine;

/**
 * Sampler settings, with Ollama's meaning. Temperature 0 (or below) samples greedily. A negative seed means a
 * random one.
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float typicalP,
        float repeatPenalty,
        int repeatLastN,
        float presencePenalty,
        float frequencyPenalty,
        long seed) {

    /** Ollama's defaults. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.9f, 0.0f, 1.0f, 1.0f, 64, 0.0f, 0.0f, -1);
    }
}
