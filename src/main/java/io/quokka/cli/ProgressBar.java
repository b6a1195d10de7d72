package io.quokka.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;

/**
 * One layer's transfer line, drawn as Ollama's {@code progress.Bar}:
 * {@code pulling 8eeb52dfb3bb:  42% ▕███████         ▏ 832 MB/2.0 GB   41 MB/s     28s}. The rate is measured over
 * the last ten one-second samples; the ETA is what is left at that rate.
 */
final class ProgressBar {
    private static final int MAX_BUCKETS = 10;

    private record Bucket(Instant updated, long value) {}

    private final String message;
    private final long maxValue;
    private final long initialValue;
    private final InstantSource clock;
    private final Instant started;
    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();
    private long currentValue;
    private Instant stopped;

    ProgressBar(String message, long maxValue, long initialValue, InstantSource clock) {
        this.message = message;
        this.maxValue = maxValue;
        this.initialValue = initialValue;
        this.currentValue = initialValue;
        this.clock = clock;
        this.started = clock.instant();
        if (initialValue >= maxValue) stopped = started;
    }

    synchronized void set(long value) {
        Instant now = clock.instant();
        currentValue = Math.min(value, maxValue);
        if (currentValue >= maxValue && stopped == null) stopped = now;
        // At most one sample a second, as Ollama, so the rate is smoothed over ten seconds.
        if (buckets.isEmpty() || Duration.between(buckets.getLast().updated(), now).toMillis() > 1000) {
            buckets.add(new Bucket(now, currentValue));
            if (buckets.size() > MAX_BUCKETS) buckets.removeFirst();
        }
    }

    synchronized boolean done() {
        return stopped != null;
    }

    synchronized String render(int termWidth) {
        StringBuilder pre = new StringBuilder();
        if (!message.isEmpty()) pre.append(message.strip()).append(' ');
        pre.append(String.format("%3.0f%%", percent()));

        StringBuilder suf = new StringBuilder();
        if (stopped == null) {
            suf.append(pad(Formats.humanBytes(currentValue))).append('/').append(pad(Formats.humanBytes(maxValue)));
        } else {
            suf.append(pad(Formats.humanBytes(maxValue))).append(" ".repeat(7));
        }
        double rate = rate();
        if (stopped == null && rate > 0) {
            suf.append("  ").append(pad(Formats.humanBytes((long) rate))).append("/s");
            long remaining = (long) ((maxValue - currentValue) / rate);
            suf.append("  ").append(pad(duration(Duration.ofSeconds(remaining))));
        } else {
            suf.append(" ".repeat(10)).append(" ".repeat(8));
        }

        int f = Math.max(0, termWidth - pre.length() - suf.length() - 5);
        int n = (int) (f * percent() / 100);
        return pre + " ▕" + "█".repeat(Math.max(0, n)) + " ".repeat(Math.max(0, f - n)) + "▏ " + suf;
    }

    private double percent() {
        return maxValue > 0 ? (double) currentValue / maxValue * 100 : 0;
    }

    private double rate() {
        double numerator = 0;
        double denominator = 0;
        if (stopped != null) {
            numerator = currentValue - initialValue;
            denominator = roundedSeconds(Duration.between(started, stopped));
        } else if (buckets.size() == 1) {
            numerator = buckets.getFirst().value() - initialValue;
            denominator = roundedSeconds(Duration.between(started, buckets.getFirst().updated()));
        } else if (buckets.size() > 1) {
            numerator = buckets.getLast().value() - buckets.getFirst().value();
            denominator = roundedSeconds(Duration.between(buckets.getFirst().updated(), buckets.getLast().updated()));
        }
        return denominator != 0 ? numerator / denominator : 0;
    }

    private static long roundedSeconds(Duration d) {
        return Math.round(d.toMillis() / 1000.0);
    }

    /** Six columns, right-aligned, as Ollama pads its byte counts. */
    private static String pad(String s) {
        return " ".repeat(Math.max(0, 6 - s.length())) + s;
    }

    /** Ollama's {@code formatDuration}: Go's duration text to the second, {@code 1h5m} past an hour, {@code 99h+}. */
    static String duration(Duration d) {
        if (d.toHours() >= 100) return "99h+";
        if (d.toHours() >= 1) return d.toHours() + "h" + d.toMinutesPart() + "m";
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
