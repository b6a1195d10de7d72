package io.quokka.engine;

import java.util.List;
import java.util.Objects;

/**
 * One generation. The prompt is {@code context} tokens (from an earlier {@code /api/generate} response) followed
 * by {@code prompt} tokenized with special tokens parsed (a BOS is added first when the vocabulary asks for one
 * and {@code context} is empty). A prompt longer than the context window is truncated as Ollama does: the first
 * {@code numKeep} tokens are kept and the oldest after them dropped. When the window fills during generation,
 * the runner shifts it the same way and goes on.
 *
 * @param context    earlier tokens to continue from, possibly empty
 * @param prompt     the rendered prompt text
 * @param sampling   sampler settings
 * @param numPredict maximum tokens to generate; negative means unlimited
 * @param numKeep    tokens at the start of the prompt kept when truncating or shifting
 * @param stops      stop strings; generation ends when one appears, and it is not delivered
 * @param grammar    a GBNF grammar constraining the output, or null
 */
public record GenerationRequest(
        int[] context,
        String prompt,
        SamplingParams sampling,
        int numPredict,
        int numKeep,
        List<String> stops,
        String grammar) {

    public GenerationRequest {
        context = context == null ? new int[0] : context.clone();
        prompt = prompt == null ? "" : prompt;
        Objects.requireNonNull(sampling, "sampling");
        stops = stops == null ? List.of() : List.copyOf(stops);
    }
}
