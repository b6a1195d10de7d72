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

    private Timestamps() {}

    public static String now() {
        return format(OffsetDateTime.now(ZoneOffset.UTC));
    }

    public static String format(Instant instant, ZoneId zone) {
        return format(OffsetDateTime.ofInstant(instant, zone));
    }

    public static String format(OffsetDateTime time) {
        StringBuilder s = new StringBuilder(40);
        SECONDS.formatTo(time, s);
        int nano = time.getNano();
        if (nano != 0) {
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
        if (time.getOffset().getTotalSeconds() == 0) {
            s.append('Z');
        } else {
            s.append(time.getOffset().getId());
        }
        return s.toString();
    }
}
