package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * Answer of {@code POST /api/embed}; the metrics are omitted when zero ({@code omitempty}, as in Ollama).
 *
 * @param model             model name as requested
 * @param embeddings        one L2-normalised vector per input, in input order
 * @param total_duration    nanoseconds spent on the whole request
 * @param load_duration     nanoseconds spent loading the model
 * @param prompt_eval_count tokens evaluated over all inputs
 */
@RegisterForReflection
public record EmbedResponse(
        String model,
        List<float[]> embeddings,
        @JsonInclude(Include.NON_DEFAULT) long total_duration,
        @JsonInclude(Include.NON_DEFAULT) long load_duration,
        @JsonInclude(Include.NON_DEFAULT) int prompt_eval_count) {}
