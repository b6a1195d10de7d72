package io.quokka.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * One server-sent event of a streamed {@code POST /v1/chat/completions}: a piece of text, the finish reason (with
 * an empty delta), or, last, the usage (with no choices).
 *
 * @param id                 the same for every chunk of a stream
 * @param object             "chat.completion.chunk"
 * @param created            Unix seconds, the same for every chunk of a stream
 * @param model              the model name as requested
 * @param system_fingerprint "fp_ollama"
 * @param choices            one, or none in the usage chunk
 * @param usage              only in the usage chunk ({@code stream_options.include_usage})
 */
@RegisterForReflection
public record ChatCompletionChunk(String id, String object, long created, String model, String system_fingerprint,
                                  List<Choice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

    /**
     * @param index         always 0
     * @param delta         what this chunk adds
     * @param finish_reason null until the finish chunk: "stop", "length" or "tool_calls"
     */
    @RegisterForReflection
    public record Choice(int index, Delta delta, @JsonInclude(JsonInclude.Include.ALWAYS) String finish_reason) {}

    /**
     * @param role       "assistant" in the first chunk only
     * @param content    the text; absent in the finish chunk and in a chunk of reasoning only
     * @param reasoning  the model's thinking
     * @param tool_calls calls, each whole in one chunk, with their {@code index}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record Delta(String role, String content,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String reasoning,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCall> tool_calls) {
        public Delta(String role, String content) {
            this(role, content, null, null);
        }
    }
}
