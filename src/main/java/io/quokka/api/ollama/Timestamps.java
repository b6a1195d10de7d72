package io.quokka.api.ollama;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Go's RFC 3339 rendering of {@code time.Time} ({@code RFC3339Nano}: trailing zeros of the fraction dropped). Every
 * streamed chunk carries one ({@code created_at}), so it is built without regexes or a formatter per call.
 */
public final class Timestamps {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** The last second rendered by {@link #now}: every chunk within that second reuses its date and time. */
    private record Second(long epochSecond, String text) {}

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private Timestamps() {}

    /** Now, in UTC. Only the fraction is formatted per call; the date and time once per second. */
    public static String now() {
        Instant instant = Instant.now();
        Second second = last;
        if (second.epochSecond() != instant.getEpochSecond()) {
            OffsetDateTime time = OffsetDateTime.ofInstant(instant, ZoneOffset.UTC).withNano(0);
            second = new Second(instant.getEpochSecond(), SECONDS.format(time));
            last = second;
        }
        StringBuilder s = new StringBuilder(32).append(second.text());
        appendFraction(s, instant.getNano());
        return s.append('Z').toString();
    }

    public static String format(Instant instant, ZoneId zone) {
        return format(OffsetDateTime.ofInstant(instant, zone));
    }

    public static String format(OffsetDateTime time) {
        StringBuilder s = new StringBuilder(40);
        SECONDS.formatTo(time, s);
        appendFraction(s, time.getNano());
        if (time.getOffset().getTotalSeconds() == 0) {
            s.append('Z');
        } else {
            s.append(time.getOffset().getId());
        }
        return s.toString();
    }

    /** Go's fraction: a dot and the nanoseconds without trailing zeros; nothing for a whole second. */
    private static void appendFraction(StringBuilder s, int nano) {
        if (nano == 0) return;
        int digits = 9;
        while (nano % 10 == 0) {
            nano /= 10;
            digits--;
        }
        s.append('.');
        String significant = Integer.toString(nano);
        for (int i = significant.length(); i < digits; i++) s.append('0');
        s.append(significant);
    }
}
