package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A chat message.
 *
 * @param role       system, user, assistant or tool
 * @param content    the text
 * @param thinking   the model's reasoning, for thinking models
 * @param images     base64 images
 * @param tool_calls calls the assistant made
 * @param tool_name  the tool whose result a tool message carries
 */
public record Message(
        String role,
        String content,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String thinking,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> images,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> tool_calls,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String tool_name) {

    public static Message assistant(String content) {
        return new Message("assistant", content, null, null, null, null);
    }
}
