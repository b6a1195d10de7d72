package io.quokka.generation;

/**
 * The store has the model but it cannot be served: a missing blob, a malformed manifest or an invalid GGUF file.
 * A 500 naming the problem; nothing is handed to llama.cpp.
 */
public final class ModelUnusableException extends RuntimeException {
    public ModelUnusableException(String message, Throwable cause) {
        super(message, cause);
    }
}
