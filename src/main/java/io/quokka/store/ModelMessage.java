package io.quokka.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One message of a model's seed conversation (the {@code messages} layer; Ollama's {@code api.Message}).
 *
 * @param role       {@code system}, {@code user}, {@code assistant} or {@code tool}; lowercased as Ollama does
 * @param content    the message text
 * @param thinking   reasoning text of an assistant message; "" when none
 * @param images     base64-encoded images; empty when none
 * @param toolName   for a tool result, the tool that produced it; "" when none
 * @param toolCallId for a tool result, the call it answers; "" when none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"role", "content", "thinking", "images", "tool_name", "tool_call_id"})
@RegisterForReflection
public record ModelMessage(
        @JsonProperty("role") String role,
        @JsonProperty("content") String content,
        @JsonProperty("thinking") @JsonInclude(JsonInclude.Include.NON_EMPTY) String thinking,
        @JsonProperty("images") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> images,
        @JsonProperty("tool_name") @JsonInclude(JsonInclude.Include.NON_EMPTY) String toolName,
        @JsonProperty("tool_call_id") @JsonInclude(JsonInclude.Include.NON_EMPTY) String toolCallId) {

    public ModelMessage {
        role = Objects.requireNonNullElse(role, "").toLowerCase(Locale.ROOT);
        content = Objects.requireNonNullElse(content, "");
        thinking = Objects.requireNonNullElse(thinking, "");
        images = images == null ? List.of() : List.copyOf(images);
        toolName = Objects.requireNonNullElse(toolName, "");
        toolCallId = Objects.requireNonNullElse(toolCallId, "");
    }

    /** A plain text message. */
    public ModelMessage(String role, String content) {
        this(role, content, "", List.of(), "", "");
    }
}
