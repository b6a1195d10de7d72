package io.quokka.generation;

import io.quokka.template.Msg;
import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation, free of wire concerns.
 *
 * @param role       system, user, assistant, tool (any role passes to the template)
 * @param content    the text
 * @param thinking   an assistant's earlier reasoning, for templates that show it
 * @param toolCalls  calls an assistant made
 * @param toolName   for a tool message: the tool whose result it carries
 * @param toolCallId for a tool message: the call it answers
 */
public record ChatTurn(String role, String content, String thinking, List<Msg.ToolCall> toolCalls, String toolName,
                       String toolCallId) {
    public ChatTurn {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
        thinking = thinking == null ? "" : thinking;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolName = toolName == null ? "" : toolName;
        toolCallId = toolCallId == null ? "" : toolCallId;
    }

    public ChatTurn(String role, String content) {
        this(role, content, null, null, null, null);
    }

    /** The message as the template layer sees it. */
    public Msg toMsg() {
        return new Msg(role, content, thinking, null, toolCalls, toolName, toolCallId);
    }
}
