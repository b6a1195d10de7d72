package io.quokka.api.ollama;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Go's RFC 3339 rendering of {@code time.Time} ({@code RFC3339Nano}: trailing zeros of the fraction dropped). */
public final class Timestamps {
    private Timestamps() {}

    public static String now() {
        return format(OffsetDateTime.now(ZoneId.of("UTC")));
    }

    public static String format(Instant instant, ZoneId zone) {
        return format(OffsetDateTime.ofInstant(instant, zone));
    }

    public static String format(OffsetDateTime time) {
        String base = time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"));
        String fraction = "";
        if (time.getNano() != 0) {
            fraction = ("." + String.format("%09d", time.getNano())).replaceAll("0+$", "");
        }
        String offset = time.getOffset().getTotalSeconds() == 0 ? "Z" : time.getOffset().getId();
        return base + fraction + offset;
    }
}
