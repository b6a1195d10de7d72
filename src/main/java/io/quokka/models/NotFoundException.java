package io.quokka.models;

/**
 * Something a request names is not in the store: a 404 whose message is Ollama's wording for that endpoint (e.g.
 * {@code model "x" not found} for copy, {@code blob "sha256:..." not found} for a blob).
 */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
