package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /v1/completions} (legacy completions), as Ollama reads it.
 *
 * @param model             model name
 * @param prompt            the prompt, a string (arrays of prompts or tokens are not supported, as in Ollama)
 * @param suffix            text after the completion, for fill-in-the-middle models
 * @param stream            true for server-sent events; false (the default) for one JSON object
 * @param stream_options    {@code include_usage}: a last chunk carrying the token counts
 * @param max_tokens        most tokens to generate (Ollama's {@code num_predict})
 * @param seed              sampling seed
 * @param stop              a stop string or an array of them
 * @param temperature       sampling temperature, unscaled; 1.0 when absent
 * @param top_p             nucleus sampling; 1.0 when absent or 0
 * @param frequency_penalty 0 when absent
 * @param presence_penalty  0 when absent
 * @param n                 how many choices: only 1 is supported
 * @param echo              echoing the prompt is not supported: {@code true} is refused
 * @param best_of           accepted and ignored, as Ollama does
 * @param logprobs          accepted and ignored
 * @param user              accepted and ignored
 */
@RegisterForReflection
public record CompletionRequest(
        String model,
        String prompt,
        String suffix,
        Boolean stream,
        StreamOptions stream_options,
        Integer max_tokens,
        Long seed,
        JsonNode stop,
        Double temperature,
        Double top_p,
        Double frequency_penalty,
        Double presence_penalty,
        Integer n,
        Boolean echo,
        Integer best_of,
        Integer logprobs,
        String user) {}
