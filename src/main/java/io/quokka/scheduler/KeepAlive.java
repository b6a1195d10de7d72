package io.quokka.scheduler;

import java.time.Duration;
import java.util.Optional;

/**
 * How long a model stays resident after its last request, with Ollama's meaning: a negative value keeps it
 * forever, zero unloads it as soon as the request is done. One parser for the environment and for requests.
 */
public record KeepAlive(Duration duration) {

    public static final KeepAlive FOREVER = new KeepAlive(null);
    public static final KeepAlive UNLOAD_NOW = new KeepAlive(Duration.ZERO);

    public boolean forever() {
        return duration == null;
    }

    public boolean immediate() {
        return duration != null && duration.isZero();
    }

    /** A request's {@code keep_alive} given as a number: seconds, possibly fractional; negative is forever. */
    public static KeepAlive ofSeconds(double seconds) {
        if (seconds < 0) return FOREVER;
        return new KeepAlive(Duration.ofNanos((long) (seconds * 1e9)));
    }

    /** A request's {@code keep_alive} given as a string: a Go duration only (as Ollama's JSON decoding). */
    public static KeepAlive ofDurationString(String text) {
        Duration d = GoDuration.parse(text);
        return d.isNegative() ? FOREVER : new KeepAlive(d);
    }

    /**
     * {@code OLLAMA_KEEP_ALIVE}: a Go duration or an integer number of seconds; anything else gives the
     * 5-minute default, as in Ollama.
     */
    public static KeepAlive fromEnvironment(String text) {
        if (text == null || text.isBlank()) return new KeepAlive(Duration.ofMinutes(5));
        Optional<Duration> parsed;
        try {
            parsed = Optional.of(GoDuration.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            try {
                parsed = Optional.of(Duration.ofSeconds(Long.parseLong(text.strip())));
            } catch (NumberFormatException notNumber) {
                parsed = Optional.empty();
            }
        }
        Duration d = parsed.orElse(Duration.ofMinutes(5));
        return d.isNegative() ? FOREVER : new KeepAlive(d);
    }

    @Override
    public String toString() {
        return forever() ? "forever" : duration.toString();
    }
}
