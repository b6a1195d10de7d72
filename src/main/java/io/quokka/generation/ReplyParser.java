package io.quokka.generation;

import io.quokka.template.Msg.ToolCall;
import io.quokka.thinking.ThinkingParser;
import io.quokka.tools.ToolCallParser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the model's raw text into {@link Reply} pieces as Ollama's chat and generate handlers do: first thinking
 * (when the request thinks and the template has thinking tags) is split off, then tool calls (when the request
 * offered tools) are taken out of what remains. A piece that only feeds a held-back tag or an unfinished call
 * yields {@link Reply#EMPTY}, which is not sent. Not thread-safe: one per generation.
 */
public final class ReplyParser {
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final ThinkingParser thinking;
    private final ToolCallParser tools;

    ReplyParser(ThinkingParser thinking, ToolCallParser tools) {
        this.thinking = thinking;
        this.tools = tools;
    }

    /** Text passes through as content. */
    public static ReplyParser plain() {
        return new ReplyParser(null, null);
    }

    /**
     * @param tags   the thinking tags, or null when the request does not think or the template has none
     * @param tag    what opens a tool call, or null when the request offered no tools
     * @param names  the offered tools' names
     * @param prompt the rendered prompt: one that ends with the opening tag has the model thinking already
     */
    static ReplyParser of(String[] tags, String tag, List<String> names, String prompt) {
        ThinkingParser thinking = null;
        if (tags != null) {
            thinking = new ThinkingParser(tags[0], tags[1]);
            if (prompt != null && prompt.strip().endsWith(tags[0])) thinking.add(tags[0]);
        }
        return new ReplyParser(thinking, tag == null ? null : new ToolCallParser(tag, names));
    }

    public boolean separatesThinking() {
        return thinking != null;
    }

    public boolean parsesToolCalls() {
        return tools != null;
    }

    /** One piece of generated text; {@link Reply#EMPTY} when nothing can be sent yet. */
    public Reply add(String piece) {
        String think = "";
        String content = piece;
        if (thinking != null) {
            ThinkingParser.Split split = thinking.add(piece);
            think = split.thinking();
            content = split.content();
        }
        return tools(think, content, false);
    }

    /** The end of the output: what was held back and can now be settled. */
    public Reply finish() {
        String think = "";
        String content = "";
        if (thinking != null) {
            ThinkingParser.Split split = thinking.finish();
            think = split.thinking();
            content = split.content();
        }
        return tools(think, content, true);
    }

    private Reply tools(String think, String content, boolean end) {
        if (tools == null || content.isEmpty() && !end) return new Reply(content, think, List.of());
        ToolCallParser.Result r = tools.add(content);
        String shown = r.content();
        if (end) shown += tools.finish();
        return new Reply(shown, think, withIds(r.calls()));
    }

    /** Each parsed call gets an id as Ollama makes them: {@code call_} and 8 random letters or digits. */
    private static List<ToolCall> withIds(List<ToolCall> calls) {
        if (calls.isEmpty()) return List.of();
        List<ToolCall> out = new ArrayList<>(calls.size());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (ToolCall c : calls) {
            StringBuilder id = new StringBuilder("call_");
            for (int i = 0; i < 8; i++) id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
            out.add(new ToolCall(id.toString(), c.index(), c.name(), c.arguments()));
        }
        return out;
    }
}
