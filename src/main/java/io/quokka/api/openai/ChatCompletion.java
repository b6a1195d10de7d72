package io.quokka.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answer of a non-streamed {@code POST /v1/chat/completions}.
 *
 * @param id                 "chatcmpl-" and a number, as Ollama makes it
 * @param object             "chat.completion"
 * @param created            Unix seconds
 * @param model              the model name as requested
 * @param system_fingerprint "fp_ollama"
 * @param choices            exactly one
 * @param usage              token counts
 */
@RegisterForReflection
public record ChatCompletion(String id, String object, long created, String model, String system_fingerprint,
                             List<Choice> choices, Usage usage) {

    /**
     * @param index         always 0
     * @param message       the assistant's message
     * @param finish_reason "stop" (end of generation or a stop string), "length" ({@code max_tokens} reached) or
     *                      "tool_calls" (it stopped after calling tools)
     */
    @RegisterForReflection
    public record Choice(int index, Message message, @JsonInclude(JsonInclude.Include.ALWAYS) String finish_reason) {}

    /**
     * @param role       "assistant"
     * @param content    the generated text ("" when it only called tools)
     * @param reasoning  the model's thinking, when it thinks
     * @param tool_calls the calls it made
     */
    @RegisterForReflection
    public record Message(String role, String content,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) String reasoning,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCall> tool_calls) {}
}
