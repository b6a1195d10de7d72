package io.quokka.scheduler.memory;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them ({@code 954MiB}, {@code 1.5GiB}, {@code 2GB}, {@code 1048576}) and as Ollama prints them. */
public final class ByteSize {
    private static final long KIB = 1024, MIB = KIB * 1024, GIB = MIB * 1024, TIB = GIB * 1024;
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-zA-Z]*)\\s*");

    private ByteSize() {}

    /**
     * Parses a size: a number (fractions allowed) followed by an optional unit. Binary units {@code KiB MiB GiB TiB}
     * (also {@code K M G T}, {@code k m g t}, as in {@code docker run -m}) are powers of 1024; decimal units
     * {@code KB MB GB TB} are powers of 1000; {@code B} or no unit is bytes. Case-insensitive for the unit.
     *
     * @throws IllegalArgumentException when the text is not a size
     */
    public static long parse(String text) {
        if (text == null) throw new IllegalArgumentException("size is required");
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("invalid size \"" + text + "\" (examples: 954MiB, 1.5GiB, 2GB)");
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kib" -> KIB;
            case "m", "mib" -> MIB;
            case "g", "gib" -> GIB;
            case "t", "tib" -> TIB;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            default -> throw new IllegalArgumentException("invalid size \"" + text + "\": unknown unit \"" + m.group(2) + "\"");
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("size too large: " + text);
        return bytes.longValue();
    }

    /** Ollama's {@code format.HumanBytes2}: {@code "1.4 GiB"}, {@code "954.0 MiB"}, {@code "12.5 KiB"}, {@code "512 B"}. */
    public static String human(long bytes) {
        if (bytes < 0) return "-" + human(-bytes);
        if (bytes >= GIB) return String.format(Locale.ROOT, "%.1f GiB", (double) bytes / GIB);
        if (bytes >= MIB) return String.format(Locale.ROOT, "%.1f MiB", (double) bytes / MIB);
        if (bytes >= KIB) return String.format(Locale.ROOT, "%.1f KiB", (double) bytes / KIB);
        return bytes + " B";
    }
}
