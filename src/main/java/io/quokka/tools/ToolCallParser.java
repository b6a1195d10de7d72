package io.quokka.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.template.Msg.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds tool calls in a model's output as it streams, as Ollama's {@code tools.Parser} does. The template tells
 * what opens a call ({@link io.quokka.template.PromptTemplate#toolCallTag()}: {@code <tool_call>}, {@code [TOOL_CALLS]},
 * or "{" for bare JSON). Text before the tag is content; from the tag on, text is held back and read as calls: a
 * call is the first requested tool's name found in the text, and its arguments the first JSON object after it that
 * parses ({@code arguments} or {@code parameters} of an object with a {@code name}, an object keyed by the tool's
 * name, or the object itself). With "{" or "[" as the tag, only output that starts with it can be a call, and the
 * parser stops at the matching close, giving back whatever follows as content; with any other tag, everything after
 * it belongs to the calls. Tool-call text is never content.
 */
public final class ToolCallParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

    private enum State { LOOKING_FOR_TAG, TOOL_CALLING, DONE }

    /** What one piece of output became: calls completed by it and content to show, either possibly empty. */
    public record Result(List<ToolCall> calls, String content) {}

    private final String tag;
    private final List<String> names;
    private final boolean bracketTag;
    private State state = State.LOOKING_FOR_TAG;
    private String buffer = "";
    private int n;

    /**
     * @param tag   what opens a call in the output
     * @param names the names of the tools the request offered
     */
    public ToolCallParser(String tag, List<String> names) {
        if (tag == null || tag.isEmpty()) throw new IllegalArgumentException("tag must not be empty");
        this.tag = tag;
        this.names = List.copyOf(names);
        this.bracketTag = tag.equals("{") || tag.equals("[");
    }

    public String tag() {
        return tag;
    }

    /** Adds a piece of output; returns the calls it completed and the content that can be shown now. */
    public Result add(String piece) {
        if (state == State.DONE) return new Result(List.of(), piece);
        buffer += piece;
        String content = "";
        if (state == State.LOOKING_FOR_TAG) {
            int at = buffer.indexOf(tag);
            boolean found = at >= 0;
            if (!found) at = partialTagAt();
            if (at < 0) {
                content = buffer;
                buffer = "";
            } else {
                content = buffer.substring(0, at);
                buffer = buffer.substring(at);
            }
            // With "{" or "[" as the tag, only output whose first non-blank character opens JSON can be a call.
            if (bracketTag && !content.isBlank()) {
                state = State.DONE;
                String all = content + buffer;
                buffer = "";
                return new Result(List.of(), all);
            }
            if (!found) return new Result(List.of(), content);
            state = State.TOOL_CALLING;
        }
        List<ToolCall> calls = new ArrayList<>();
        for (ToolCall call = nextCall(); call != null; call = nextCall()) calls.add(call);
        if (closed()) {
            state = State.DONE;
            content = buffer;
            buffer = "";
        }
        return new Result(List.copyOf(calls), content);
    }

    /**
     * Content still held back at the end of the output. As Ollama: with "{" or "[" as the tag and no call found,
     * the held-back JSON was content after all; an unfinished call after another tag is dropped. (Ollama also
     * drops a partial tag at the very end, "&lt;tool" say; here it is content, since no call began.)
     */
    public String finish() {
        String rest = buffer;
        buffer = "";
        if (state == State.LOOKING_FOR_TAG) return rest;
        if (n > 0) return "";
        return bracketTag ? rest : "";
    }

    /** Where a suffix of the buffer could be the start of the tag, or -1. */
    private int partialTagAt() {
        for (int i = Math.min(buffer.length(), tag.length()); i > 0; i--) {
            if (buffer.endsWith(tag.substring(0, i))) return buffer.length() - i;
        }
        return -1;
    }

    /** The next complete call in the buffer, consuming it; null when none is complete yet. */
    private ToolCall nextCall() {
        int[] nameEnd = {0};
        String name = findTool(nameEnd);
        if (name == null) return null;
        Arguments args = findArguments(name);
        if (args == null) return null;
        int end = Math.max(nameEnd[0], args.end());
        buffer = buffer.substring(end);
        return new ToolCall("", n++, name, args.values());
    }

    /**
     * The tool whose name appears first in the buffer (the longest, when several start at one place); null while
     * the buffer ends with a prefix of some tool's name, which more output may complete.
     */
    private String findTool(int[] end) {
        if (buffer.isEmpty()) return null;
        int longest = 0;
        for (String name : names) longest = Math.max(longest, name.length());
        for (int i = 1; i <= Math.min(buffer.length(), longest); i++) {
            String tail = buffer.substring(buffer.length() - i);
            for (String name : names) {
                if (tail.length() < name.length() && name.startsWith(tail)) return null;
            }
        }
        String found = null;
        int start = -1;
        for (String name : names) {
            if (name.isEmpty()) continue;
            int pos = buffer.indexOf(name);
            if (pos < 0) continue;
            if (start != -1 && (pos > start || (pos == start && name.length() <= found.length()))) continue;
            found = name;
            start = pos;
        }
        if (found == null) return null;
        end[0] = start + found.length();
        return found;
    }

    private record Arguments(Map<String, Object> values, int end) {}

    /** The first balanced JSON object in the buffer that parses, read as the arguments of {@code tool}. */
    private Arguments findArguments(String tool) {
        int start = -1;
        int braces = 0;
        OutsideStrings scan = new OutsideStrings(buffer);
        for (int i = scan.next(); i >= 0; i = scan.next()) {
            char c = buffer.charAt(i);
            if (c == '{') {
                if (braces == 0) start = i;
                braces++;
            } else if (c == '}') {
                braces--;
                if (braces == 0 && start != -1) {
                    Map<String, Object> data = parseObject(buffer.substring(start, i + 1));
                    if (data == null) {
                        start = -1; // not an object: keep looking
                        continue;
                    }
                    Found args = findObject(data, tool);
                    if (args == null) return new Arguments(data, i + 1);
                    // An object with a name but no arguments is no call (as Ollama: all-optional calls need "{}").
                    return args.values() == null ? null : new Arguments(args.values(), i + 1);
                }
                if (braces < 0) braces = 0;
            }
        }
        return null;
    }

    /** Found arguments; {@code values} is null for an object with a name but no arguments (Go's nil map). */
    private record Found(Map<String, Object> values) {}

    @SuppressWarnings("unchecked")
    private static Found findObject(Map<String, Object> obj, String tool) {
        if (obj.containsKey("name")) {
            Map<String, Object> args = mapField(obj, "arguments");
            if (args == null) args = mapField(obj, "parameters");
            return new Found(args);
        }
        Map<String, Object> args = mapField(obj, tool);
        if (args != null) return new Found(args);
        for (Object v : obj.values()) {
            if (v instanceof Map<?, ?> child) {
                Found r = findObject((Map<String, Object>) child, tool);
                if (r != null) return r;
            } else if (v instanceof List<?> items) {
                for (Object item : items) {
                    if (item instanceof Map<?, ?> child) {
                        Found r = findObject((Map<String, Object>) child, tool);
                        if (r != null) return r;
                    }
                }
            }
        }
        return null;
    }

    /** An object field, or a string field holding a JSON object's text. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapField(Map<String, Object> obj, String name) {
        Object v = obj.get(name);
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        if (v instanceof String s) return parseObject(s);
        return null;
    }

    private static Map<String, Object> parseObject(String text) {
        try {
            return JSON.readValue(text, OBJECT);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /** With "{" or "[" as the tag: whether the buffer's first JSON value has closed (the calls are over). */
    private boolean closed() {
        if (!bracketTag) return false;
        char open = tag.charAt(0);
        char close = open == '{' ? '}' : ']';
        int count = 0;
        OutsideStrings scan = new OutsideStrings(buffer);
        for (int i = scan.next(); i >= 0; i = scan.next()) {
            char c = buffer.charAt(i);
            if (c == open) {
                count++;
            } else if (c == close) {
                count--;
                if (count == 0) return true;
            }
        }
        return false;
    }

    /**
     * Walks a buffer's characters outside JSON strings: quotes toggle a string, a backslash skips the next character.
     * The brace and bracket counting above sees only structure, never a brace inside an argument's text.
     */
    private static final class OutsideStrings {
        private final CharSequence text;
        private int at;
        private boolean inString;
        private boolean escaped;

        OutsideStrings(CharSequence text) {
            this.text = text;
        }

        /** The index of the next character outside a string, or -1 at the end. */
        int next() {
            while (at < text.length()) {
                int i = at++;
                char c = text.charAt(i);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = !inString;
                } else if (!inString) {
                    return i;
                }
            }
            return -1;
        }
    }
}
