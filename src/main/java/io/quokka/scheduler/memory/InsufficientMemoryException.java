package io.quokka.scheduler.memory;

/**
 * A load refused because the model would not fit in memory even at the smallest context allowed. The message is
 * Ollama's ({@code llm/server.go}), word for word: {@code model requires more system memory (1.4 GiB) than is
 * available (954.0 MiB)}. Unchecked so it passes through the scheduler's signatures unchanged; the HTTP layer
 * answers it with a 500, as Ollama does.
 */
public final class InsufficientMemoryException extends RuntimeException {
    private final long required;
    private final long available;

    public InsufficientMemoryException(long required, long available) {
        super("model requires more system memory (" + ByteSize.human(required) + ") than is available ("
                + ByteSize.human(Math.max(0, available)) + ")");
        this.required = required;
        this.available = available;
    }

    public long required() {
        return required;
    }

    public long available() {
        return available;
    }
}
