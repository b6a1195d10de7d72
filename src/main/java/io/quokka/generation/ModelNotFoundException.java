package io.quokka.generation;

import java.util.Optional;

/**
 * The store has no model of that name: a 404 with Ollama's message. Also what a model whose manifest is there but
 * whose model file is gone (deleted behind the server's back) gets: {@code ollama run} answers a 404 with a pull,
 * which brings the file back.
 */
public final class ModelNotFoundException extends RuntimeException {
    private final String fileMissingOf;

    public ModelNotFoundException(String requestedName) {
        this(requestedName, null);
    }

    private ModelNotFoundException(String requestedName, String fileMissingOf) {
        super("model '" + requestedName + "' not found");
        this.fileMissingOf = fileMissingOf;
    }

    /** {@code storedName}'s manifest is in the store, but its model file is not. */
    public static ModelNotFoundException fileMissing(String requestedName, String storedName) {
        return new ModelNotFoundException(requestedName, storedName);
    }

    /** The stored model whose file is missing, when that is why it was not found. */
    public Optional<String> fileMissingOf() {
        return Optional.ofNullable(fileMissingOf);
    }
}
