package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quokka.generation.Reply;
import java.util.List;

/**
 * A chat message.
 *
 * @param role         system, user, assistant or tool
 * @param content      the text
 * @param thinking     the model's reasoning, when the request thinks and the model's template has thinking tags
 * @param images       base64 images
 * @param tool_calls   calls the assistant made
 * @param tool_name    the tool whose result a tool message carries
 * @param tool_call_id the call a tool message answers
 */
@RegisterForReflection
public record Message(
        String role,
        String content,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String thinking,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> images,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCall> tool_calls,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String tool_name,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String tool_call_id) {

    public static Message assistant(String content) {
        return new Message("assistant", content, null, null, null, null, null);
    }

    /** The assistant's reply, or a piece of it. */
    public static Message assistant(Reply reply) {
        return new Message("assistant", reply.content(), reply.thinking(), null, ToolCall.of(reply.toolCalls()),
                null, null);
    }
}
