package io.quokka.runner;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns token pieces (raw bytes from {@code llama_token_to_piece}) into delivered text the way Ollama's runner
 * does ({@code runner/common/stop.go}): pieces are held back while they could be the start of a stop string or
 * end inside a UTF-8 character; a stop string that appears ends the generation, the text before it is delivered
 * and the stop string never is. Works on bytes, as Ollama's Go strings do, so a multi-byte character split over
 * two tokens is never decoded half.
 */
final class TextOutput {
    private final byte[][] stops;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    TextOutput(List<String> stops, Consumer<String> sink) {
        // An empty stop string would match at once (Ollama's strings.Contains(s, "") is true); we ignore it.
        this.stops = stops.stream().filter(s -> !s.isEmpty())
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.sink = sink;
    }

    /** Adds one token's bytes; returns true when a stop string was completed (the generation must end). */
    boolean add(byte[] piece) {
        pending.writeBytes(piece);
        byte[] text = pending.toByteArray();
        for (byte[] stop : stops) {
            int at = indexOf(text, stop);
            if (at >= 0) {
                pending.reset();
                deliver(Arrays.copyOf(text, at));
                return true;
            }
        }
        if (endsWithStopPrefix(text) || incompleteUtf8(text)) return false;
        pending.reset();
        deliver(text);
        return false;
    }

    /** Delivers what is held back at the end of a generation (an unfinished UTF-8 character is dropped). */
    void finish() {
        byte[] text = pending.toByteArray();
        pending.reset();
        deliver(text);
    }

    private void deliver(byte[] text) {
        int end = text.length;
        while (end > 0 && incompleteUtf8(Arrays.copyOf(text, end))) end--; // at most 3 bytes
        if (end > 0) sink.accept(new String(text, 0, end, StandardCharsets.UTF_8));
    }

    private boolean endsWithStopPrefix(byte[] text) {
        for (byte[] stop : stops) {
            for (int len = Math.min(stop.length, text.length); len >= 1; len--) {
                if (Arrays.equals(text, text.length - len, text.length, stop, 0, len)) return true;
            }
        }
        return false;
    }

    /** True when the bytes end inside a multi-byte UTF-8 sequence (Ollama's IncompleteUnicode). */
    static boolean incompleteUtf8(byte[] text) {
        for (int i = 1; i < 5 && i <= text.length; i++) {
            int c = text[text.length - i] & 0xff;
            if ((c & 0xc0) == 0x80) continue; // continuation byte
            if ((c & 0xe0) == 0xc0) return i < 2;
            if ((c & 0xf0) == 0xe0) return i < 3;
            if ((c & 0xf8) == 0xf0) return i < 4;
            return false; // ASCII or invalid lead byte
        }
        return false;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
