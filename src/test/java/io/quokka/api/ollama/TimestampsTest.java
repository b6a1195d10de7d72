package io.quokka.api.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void rendersGoRfc3339NanoWithTrailingFractionZerosDropped() {
        OffsetDateTime t = OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 0, ZoneOffset.UTC);
        assertEquals("2024-05-06T07:08:09Z", Timestamps.format(t));
        assertEquals("2024-05-06T07:08:09.12Z", Timestamps.format(t.withNano(120_000_000)));
        assertEquals("2024-05-06T07:08:09.000000005Z", Timestamps.format(t.withNano(5)));
        assertEquals("2024-05-06T07:08:09.000001Z", Timestamps.format(t.withNano(1_000)));
        assertEquals("2024-05-06T07:08:09.123456789+02:00",
                Timestamps.format(t.withNano(123_456_789).withOffsetSameLocal(ZoneOffset.ofHours(2))));
    }

    @Test
    void agreesWithTheFormatAndRegexRendering() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            int nano = switch (i % 4) {
                case 0 -> random.nextInt(1_000_000_000);
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(10) * 100_000_000;
                default -> random.nextInt(1_000_000) * 1_000;
            };
            OffsetDateTime t = OffsetDateTime.of(2026, 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), nano,
                    ZoneOffset.ofHoursMinutes(random.nextInt(-12, 13), 0));
            assertEquals(reference(t), Timestamps.format(t));
        }
    }

    /** now() renders the second once and the fraction per call: across second boundaries it still reads right. */
    @Test
    void nowIsTheCurrentInstantInGosFormAcrossSeconds() {
        long end = System.nanoTime() + 1_300_000_000L;
        int calls = 0;
        while (System.nanoTime() < end) {
            java.time.Instant before = java.time.Instant.now();
            String now = Timestamps.now();
            java.time.Instant after = java.time.Instant.now();
            OffsetDateTime parsed = OffsetDateTime.parse(now);
            assertEquals(Timestamps.format(parsed), now, now);
            assertEquals(ZoneOffset.UTC, parsed.getOffset(), now);
            assertTrue(!parsed.toInstant().isBefore(before) && !parsed.toInstant().isAfter(after), now);
            calls++;
        }
        assertTrue(calls > 1_000, "calls: " + calls);
    }

    /** The earlier implementation, kept as the oracle. */
    private static String reference(OffsetDateTime time) {
        String base = time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"));
        String fraction = "";
        if (time.getNano() != 0) {
            fraction = ("." + String.format("%09d", time.getNano())).replaceAll("0+$", "");
        }
        String offset = time.getOffset().getTotalSeconds() == 0 ? "Z" : time.getOffset().getId();
        return base + fraction + offset;
    }
}
