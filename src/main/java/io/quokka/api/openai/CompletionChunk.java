package io.quokka.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * One server-sent event of a streamed {@code POST /v1/completions}. Field order is Ollama's.
 *
 * @param id                 the same for every chunk of a stream
 * @param object             "text_completion"
 * @param created            Unix seconds
 * @param choices            one, or none in the usage chunk
 * @param model              the model name as requested
 * @param system_fingerprint "fp_ollama"
 * @param usage              with {@code stream_options.include_usage}: zeros on every chunk, the counts on the
 *                           last one (which has no choices), as Ollama sends them
 */
@RegisterForReflection
public record CompletionChunk(String id, String object, long created, List<Completion.Choice> choices, String model,
                              String system_fingerprint, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {}
