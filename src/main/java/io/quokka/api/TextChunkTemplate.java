package io.quokka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ollama.Timestamps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.BiFunction;

/**
 * A streamed chunk that carries only text, written without Jackson. Once per request, Jackson writes the endpoint's
 * chunk object with a marker in place of each of its varying strings (the time, if it has one, and the text), and the
 * line is cut around them; each token then joins those cuts with its time and its text, escaped by Jackson's own
 * string encoder.
 * The bytes are Jackson's: the template checks itself against a Jackson-written line of awkward text when it is made,
 * and a shape or mapper it cannot reproduce gets no template (the caller keeps serialising).
 *
 * <p>Why: per token, Jackson (a generator, a serializer provider, a record of a dozen properties with their inclusion
 * rules) cost ~20% of the event loop's CPU per streamed token at a 135M model's ~100 tok/s, where that work runs with
 * cold caches: median ~394 against ~305 µs per token with the template (docs/benchmarks.md).
 */
public final class TextChunkTemplate {
    private static final String TIME = "\u0001time\u0001";
    private static final String TEXT = "\u0001text\u0001";
    /** Quotes, a backslash, control characters, non-ASCII, an emoji (a surrogate pair) and HTML-ish text. */
    private static final String PROBE = "a \"quoted\" \\ back\u0000\u0007\b\f\n\r\t\u001f é ✓ 🦘 </script> &amp;";
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    /** Before the time (or the text, when the chunk has no time), between the two (null: no time), after the text. */
    private final byte[] head, middle, tail;

    private TextChunkTemplate(byte[] head, byte[] middle, byte[] tail) {
        this.head = head;
        this.middle = middle;
        this.tail = tail;
    }

    /**
     * The template of {@code chunk} (the time, the text → the endpoint's chunk object, or null when it has none), or
     * null when Jackson's line cannot be reproduced this way.
     */
    public static TextChunkTemplate of(ObjectMapper mapper, BiFunction<String, String, Object> chunk) {
        try {
            Object marked = chunk.apply(TIME, TEXT);
            if (marked == null) return null;
            byte[] line = mapper.writeValueAsBytes(marked);
            // Searched as Latin-1 text: one char per byte, so the indexes are byte offsets.
            String bytes = new String(line, StandardCharsets.ISO_8859_1);
            byte[] time = ENCODER.quoteAsUTF8(TIME), text = ENCODER.quoteAsUTF8(TEXT);
            String timeMark = new String(time, StandardCharsets.ISO_8859_1);
            String textMark = new String(text, StandardCharsets.ISO_8859_1);
            int t = bytes.indexOf(timeMark), x = bytes.indexOf(textMark);
            if (x < 0 || bytes.indexOf(textMark, x + 1) >= 0) return null;
            if (t >= 0 && (x < t + time.length || bytes.indexOf(timeMark, t + 1) >= 0)) return null;
            byte[] after = Arrays.copyOfRange(line, x + text.length, line.length);
            TextChunkTemplate template = t < 0 ? new TextChunkTemplate(Arrays.copyOfRange(line, 0, x), null, after)
                    : new TextChunkTemplate(Arrays.copyOfRange(line, 0, t), Arrays.copyOfRange(line, t + time.length, x),
                            after);
            String now = Timestamps.now();
            return Arrays.equals(template.line(now, PROBE), mapper.writeValueAsBytes(chunk.apply(now, PROBE)))
                    ? template : null;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The chunk's JSON for {@code text} at {@code time} (ignored when the chunk has no time), in parts, followed by
     * {@code end} (a newline, say).
     */
    public byte[][] parts(String time, String text, byte[] end) {
        if (middle == null) return new byte[][] {head, escape(text), tail, end};
        return new byte[][] {head, escape(time), middle, escape(text), tail, end};
    }

    /** This template with {@code prefix} before each chunk (a server-sent event's {@code data: }). */
    public TextChunkTemplate after(byte[] prefix) {
        byte[] h = Arrays.copyOf(prefix, prefix.length + head.length);
        System.arraycopy(head, 0, h, prefix.length, head.length);
        return new TextChunkTemplate(h, middle, tail);
    }

    /**
     * A JSON string's content as Jackson's generator writes it: its string encoder's escapes, except that each UTF-16
     * surrogate is written as a six-character escape (backslash, u, four upper-case hex digits), as the generator does
     * by default (an emoji becomes two such escapes), where the encoder would write the character's UTF-8 bytes.
     */
    static byte[] escape(String s) {
        int first = -1;
        for (int i = 0; i < s.length() && first < 0; i++) {
            if (Character.isSurrogate(s.charAt(i))) first = i;
        }
        if (first < 0) return ENCODER.quoteAsUTF8(s);
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
        int start = 0;
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (i > start) out.writeBytes(ENCODER.quoteAsUTF8(s.substring(start, i)));
            out.writeBytes(("\\u" + HexFormat.of().withUpperCase().toHexDigits(c)).getBytes(StandardCharsets.US_ASCII));
            start = i + 1;
        }
        if (start < s.length()) out.writeBytes(ENCODER.quoteAsUTF8(s.substring(start)));
        return out.toByteArray();
    }

    /** The chunk's JSON (no newline) for {@code text} at {@code time}. */
    byte[] line(String time, String text) {
        byte[][] parts = parts(time, text, new byte[0]);
        byte[] line = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, line, at, part.length);
            at += part.length;
        }
        return line;
    }
}
