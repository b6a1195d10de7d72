package io.quokka.runner.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Explains a runner's death. A thread of its own forwards the runner's output to the log and keeps its last lines;
 * once the runner is gone, {@link #terminationMessage()} says how it ended, in Ollama's words, with the line that
 * explains it.
 */
final class DeathReport {
    private static final Logger LOG = Logger.getLogger("io.quokka.runner");
    private static final int LOG_TAIL = 20;

    private final Process process;
    private final long pid;
    private final ArrayDeque<String> logTail = new ArrayDeque<>();

    private DeathReport(Process process) {
        this.process = process;
        this.pid = process.pid();
    }

    /** Starts forwarding {@code stream} (the runner's stderr, or its stdout and stderr merged) to the log. */
    static DeathReport forward(Process process, InputStream stream) {
        DeathReport report = new DeathReport(process);
        report.forwardLog(stream);
        return report;
    }

    private void forwardLog(InputStream stream) {
        Thread.ofPlatform().name("runner-" + pid + "-log").daemon(true).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    LOG.debugf("[runner %d] %s", pid, line);
                    synchronized (logTail) {
                        if (logTail.size() == LOG_TAIL) logTail.removeFirst();
                        logTail.addLast(line);
                    }
                }
            } catch (IOException ignored) {
                // the runner is gone
            }
        });
    }

    /** Ollama's words: "llama runner process has terminated: signal: killed", plus the line that explains it. */
    String terminationMessage() {
        String explanation = null;
        synchronized (logTail) {
            for (String line : logTail) {
                String l = line.toLowerCase(Locale.ROOT);
                if (l.contains("error") || l.contains("assert") || l.contains("abort") || l.contains("fatal")
                        || l.contains("exception") || l.contains("failed")) {
                    explanation = line.strip();
                }
            }
        }
        return "llama runner process has terminated: " + describeExit(process)
                + (explanation == null ? "" : ": " + explanation);
    }

    /** Go's ProcessState wording. Java reports death by signal N as exit value 128+N. */
    static String describeExit(Process process) {
        if (process.isAlive()) return "still running";
        int code = process.exitValue();
        return switch (code) {
            case 137 -> "signal: killed";
            case 143 -> "signal: terminated";
            case 139 -> "signal: segmentation fault";
            default -> "exit status " + code;
        };
    }
}
