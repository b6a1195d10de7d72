package io.quokka.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer of a non-streamed {@code POST /v1/completions}.
 *
 * @param id                 "cmpl-" and a number, as Ollama makes it
 * @param object             "text_completion"
 * @param created            Unix seconds
 * @param model              the model name as requested
 * @param system_fingerprint "fp_ollama"
 * @param choices            exactly one
 * @param usage              token counts
 */
@RegisterForReflection
public record Completion(String id, String object, long created, String model, String system_fingerprint,
                         List<Choice> choices, Usage usage) {

    /**
     * @param text          the generated text
     * @param index         always 0
     * @param finish_reason "stop" or "length" ("load" when the prompt was empty and the model was only loaded)
     */
    @RegisterForReflection
    public record Choice(String text, int index, @JsonInclude(JsonInclude.Include.ALWAYS) String finish_reason) {}
}
