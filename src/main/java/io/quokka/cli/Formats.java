package io.quokka.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The ollama CLI's number, time and table formats (its {@code format} package and tablewriter settings). */
final class Formats {
    private Formats() {}

    /** Ollama's {@code format.HumanBytes}: decimal units, e.g. {@code 2.0 GB}, {@code 397 MB}, {@code 512 B}. */
    static String humanBytes(long b) {
        double value;
        String unit;
        if (b >= 1_000_000_000_000L) {
            value = b / 1e12;
            unit = "TB";
        } else if (b >= 1_000_000_000L) {
            value = b / 1e9;
            unit = "GB";
        } else if (b >= 1_000_000L) {
            value = b / 1e6;
            unit = "MB";
        } else if (b >= 1_000L) {
            value = b / 1e3;
            unit = "KB";
        } else {
            return b + " B";
        }
        if (value >= 10) return (long) value + " " + unit;
        if (value != Math.floor(value)) return String.format("%.1f %s", value, unit);
        return (long) value + " " + unit;
    }

    /** Ollama's {@code format.HumanTime}: "2 weeks ago", "4 minutes from now", "Forever". */
    static String humanTime(String timestamp, String zeroValue, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) return zeroValue;
        Instant t;
        try {
            t = OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return timestamp;
        }
        Duration delta = Duration.between(t, now);
        if (delta.toHours() / 24 / 365 < -20) return "Forever";
        if (delta.isNegative()) return humanDuration(delta.negated()) + " from now";
        return humanDuration(delta) + " ago";
    }

    private static String humanDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = Math.round(d.toMillis() / 3_600_000.0);
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return d.toHours() / 24 / 365 + " years";
    }

    /** A table as {@code ollama list} prints it: left-aligned columns, four spaces apart, no borders. */
    static String table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        if (header != null) all.add(header);
        all.addAll(rows);
        int columns = all.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length()));
                if (i < row.size() - 1) line.append("    ");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
