package io.quokka.runner;

import io.quokka.runner.llamacpp.LlamaCpp;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runner's log: llama.cpp's log (through the {@code llama_log_set} upcall) and the runner's own lines, all on
 * stderr, which the server forwards to its log and keeps the tail of to explain a crash. Remembers the last
 * error line so a failed load can say why in its answer.
 */
final class RunnerLog implements LlamaCpp.LogHandler {
    private final PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
            StandardCharsets.UTF_8);
    private final AtomicInteger errors = new AtomicInteger();
    private volatile String lastError;

    /** llama.cpp's trace of {@code llama_set_abort_callback}, called twice per generation (NativeModel.pollAbort). */
    private static final String ABORT_CALLBACK_TRACE = "set_abort_callback: call";

    @Override
    public void log(int level, String text) {
        // Not logged: it would fill the log tail that explains a crash, and its "abort" reads like a cause.
        if (text.startsWith(ABORT_CALLBACK_TRACE)) return;
        err.print(text);
        if (level == LlamaCpp.LOG_ERROR) {
            errors.incrementAndGet();
            String line = text.strip();
            if (!line.isEmpty()) lastError = line;
        }
    }

    void info(String line) {
        err.println("runner: " + line);
    }

    /** How many error lines llama.cpp has logged so far; lets a caller see whether a call logged one. */
    int errorCount() {
        return errors.get();
    }

    String lastError() {
        return lastError;
    }
}
