package io.quokka.thinking;

/**
 * Separates a model's thinking from its answer as text streams in, as Ollama's {@code thinking.Parser} does: output
 * that opens (after optional whitespace) with the opening tag is thinking until the closing tag, the rest is content;
 * output that opens with anything else is all content. Whitespace right after either tag is dropped. A tag split
 * across pieces is held back until the next piece settles it, so callers never see half a tag.
 */
public final class ThinkingParser {
    private enum State { LOOKING_FOR_OPENING, EATING_WHITESPACE_AFTER_OPENING, THINKING, EATING_WHITESPACE_AFTER_CLOSING, DONE }

    /** What one piece of output became: thinking text and answer text, either possibly empty. */
    public record Split(String thinking, String content) {
        public boolean isEmpty() {
            return thinking.isEmpty() && content.isEmpty();
        }
    }

    private final String opening;
    private final String closing;
    private State state = State.LOOKING_FOR_OPENING;
    private StringBuilder acc = new StringBuilder();

    public ThinkingParser(String opening, String closing) {
        if (opening == null || opening.isEmpty() || closing == null || closing.isEmpty()) {
            throw new IllegalArgumentException("thinking tags must not be empty");
        }
        this.opening = opening;
        this.closing = closing;
    }

    public String opening() {
        return opening;
    }

    /** Adds a piece of output; returns what can be told apart now. */
    public Split add(String piece) {
        acc.append(piece);
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        while (eat(thinking, content)) {
            // Several states may pass in one piece: nothing already unambiguous waits for the next.
        }
        return new Split(thinking.toString(), content.toString());
    }

    /**
     * The end of the output: what is still held back. (Ollama drops it; keeping it loses no text: a lone partial
     * opening tag is content, a partial closing tag is thinking.)
     */
    public Split finish() {
        String rest = acc.toString();
        acc = new StringBuilder();
        return switch (state) {
            case LOOKING_FOR_OPENING -> new Split("", rest.isBlank() ? "" : rest);
            case THINKING -> new Split(rest, "");
            default -> new Split("", "");
        };
    }

    /** One step of the state machine; true when the caller should step again. */
    private boolean eat(StringBuilder thinking, StringBuilder content) {
        switch (state) {
            case LOOKING_FOR_OPENING -> {
                String trimmed = stripLeading(acc.toString());
                if (trimmed.startsWith(opening)) {
                    String after = stripLeading(trimmed.substring(opening.length()));
                    acc = new StringBuilder(after);
                    state = after.isEmpty() ? State.EATING_WHITESPACE_AFTER_OPENING : State.THINKING;
                    return true;
                }
                if (opening.startsWith(trimmed)) return false; // a partial opening tag, or only whitespace
                // No opening tag: the model did not think. Keep the content's own whitespace.
                state = State.DONE;
                content.append(acc);
                acc = new StringBuilder();
                return false;
            }
            case EATING_WHITESPACE_AFTER_OPENING -> {
                String trimmed = stripLeading(acc.toString());
                acc = new StringBuilder();
                if (trimmed.isEmpty()) return false;
                state = State.THINKING;
                acc.append(trimmed);
                return true;
            }
            case THINKING -> {
                String s = acc.toString();
                int end = s.indexOf(closing);
                if (end >= 0) {
                    thinking.append(s, 0, end);
                    String remaining = stripLeading(s.substring(end + closing.length()));
                    acc = new StringBuilder();
                    state = remaining.isEmpty() ? State.EATING_WHITESPACE_AFTER_CLOSING : State.DONE;
                    content.append(remaining);
                    return false;
                }
                int overlap = overlap(s, closing);
                thinking.append(s, 0, s.length() - overlap);
                acc = new StringBuilder(s.substring(s.length() - overlap));
                return false;
            }
            case EATING_WHITESPACE_AFTER_CLOSING -> {
                String trimmed = stripLeading(acc.toString());
                acc = new StringBuilder();
                if (!trimmed.isEmpty()) state = State.DONE;
                content.append(trimmed);
                return false;
            }
            case DONE -> {
                content.append(acc);
                acc = new StringBuilder();
                return false;
            }
        }
        return false;
    }

    /** The longest suffix of {@code s} that is a prefix of {@code tag}. */
    static int overlap(String s, String tag) {
        for (int i = Math.min(tag.length(), s.length()); i > 0; i--) {
            if (s.endsWith(tag.substring(0, i))) return i;
        }
        return 0;
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) break;
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }
}
