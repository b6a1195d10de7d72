package io.quokka.generation;

/** The store has no model of that name: a 404 with Ollama's message. */
public final class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String requestedName) {
        super("model '" + requestedName + "' not found");
    }
}
