package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * One message of a chat completion request.
 *
 * @param role         system, developer, user, assistant or tool; passed to the template unchecked
 * @param content      a string, or an array of parts ({@code text}, {@code image_url}, {@code input_audio});
 *                     may be absent only on an assistant message with {@code tool_calls}
 * @param reasoning    an assistant's earlier reasoning
 * @param tool_calls   calls an assistant made earlier
 * @param name         for a tool message, the function whose result it carries
 * @param tool_call_id for a tool message, the call it answers
 */
@RegisterForReflection
public record ChatMessage(
        String role,
        JsonNode content,
        String reasoning,
        List<ToolCall> tool_calls,
        String name,
        String tool_call_id) {}
