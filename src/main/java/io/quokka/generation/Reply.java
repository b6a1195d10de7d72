package io.quokka.generation;

import io.quokka.template.Msg.ToolCall;
import java.util.List;

/**
 * What the model said, separated: the answer, its thinking, its tool calls. A piece of a stream or a whole reply.
 *
 * @param content   the answer's text
 * @param thinking  the text between the thinking tags
 * @param toolCalls calls parsed from the output, each with its {@code call_...} id and index
 */
public record Reply(String content, String thinking, List<ToolCall> toolCalls) {
    public static final Reply EMPTY = new Reply("", "", List.of());

    public Reply {
        content = content == null ? "" : content;
        thinking = thinking == null ? "" : thinking;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Reply content(String text) {
        return new Reply(text, "", List.of());
    }

    public boolean isEmpty() {
        return content.isEmpty() && thinking.isEmpty() && toolCalls.isEmpty();
    }

    /** Text and nothing else: no thinking, no tool calls. */
    public boolean isTextOnly() {
        return thinking.isEmpty() && toolCalls.isEmpty();
    }

    /** Accumulates the pieces of a stream into one reply (a non-streamed answer). */
    public static final class Builder {
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder thinking = new StringBuilder();
        private final java.util.ArrayList<ToolCall> calls = new java.util.ArrayList<>();

        public Builder add(Reply piece) {
            content.append(piece.content());
            thinking.append(piece.thinking());
            calls.addAll(piece.toolCalls());
            return this;
        }

        public Reply build() {
            return new Reply(content.toString(), thinking.toString(), calls);
        }
    }
}
