package io.quokka.generation;

/** The request is malformed or asks for something impossible: Ollama answers 400 with this message. */
public final class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
