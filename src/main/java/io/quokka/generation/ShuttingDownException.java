package io.quokka.generation;

/** The server is shutting down and takes no new generations: a 503. */
public final class ShuttingDownException extends RuntimeException {
    public ShuttingDownException() {
        super("server is shutting down");
    }
}
