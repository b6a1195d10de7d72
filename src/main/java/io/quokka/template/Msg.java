package io.quokka.template;

import java.util.List;
import java.util.Map;

/**
 * A chat message as the template layer needs it (Ollama's api.Message). {@code images} holds raw
 * image bytes (only their count and presence usually matter to templates).
 */
public record Msg(String role, String content, String thinking, List<byte[]> images,
                  List<ToolCall> toolCalls, String toolName, String toolCallId) {

    public Msg {
        role = role == null ? "" : role;
        content = content == null ? "" : content;
        thinking = thinking == null ? "" : thinking;
        images = images == null ? List.of() : List.copyOf(images);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolName = toolName == null ? "" : toolName;
        toolCallId = toolCallId == null ? "" : toolCallId;
    }

    public static Msg of(String role, String content) {
        return new Msg(role, content, null, null, null, null, null);
    }

    public static Msg system(String content) { return of("system", content); }

    public static Msg user(String content) { return of("user", content); }

    public static Msg assistant(String content) { return of("assistant", content); }

    /** An assistant turn that calls tools. */
    public static Msg toolCalls(String content, List<ToolCall> calls) {
        return new Msg("assistant", content, null, null, calls, null, null);
    }

    /** A tool result. */
    public static Msg toolResult(String toolName, String content) {
        return new Msg("tool", content, null, null, null, toolName, null);
    }

    public Msg withContent(String newContent) {
        return new Msg(role, newContent, thinking, images, toolCalls, toolName, toolCallId);
    }

    public Msg withThinking(String newThinking) {
        return new Msg(role, content, newThinking, images, toolCalls, toolName, toolCallId);
    }

    public Msg withImages(List<byte[]> newImages) {
        return new Msg(role, content, thinking, newImages, toolCalls, toolName, toolCallId);
    }

    /**
     * One tool call (api.ToolCall). {@code arguments} is decoded JSON: Map/List/String/Number/Boolean/null;
     * {@code null} arguments means none were sent (Go nil map).
     */
    public record ToolCall(String id, int index, String name, Map<String, Object> arguments) {
        public ToolCall {
            id = id == null ? "" : id;
            name = name == null ? "" : name;
        }

        public static ToolCall of(String name, Map<String, Object> arguments) {
            return new ToolCall("", 0, name, arguments);
        }
    }
}
