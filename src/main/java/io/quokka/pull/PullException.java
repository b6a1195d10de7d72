package io.quokka.pull;

/**
 * A pull failed, with the message Ollama would give ({@code pull model manifest: file does not exist},
 * {@code digest mismatch, file must be downloaded again: ...}). Whatever failed, the store is as it was before the
 * pull, except perhaps for a resumable partial download, which is never visible as a blob or a model.
 */
public final class PullException extends RuntimeException {

    public enum Kind {
        /** The request itself is wrong (an invalid name): a 400. */
        INVALID_REQUEST,
        /** The pull was attempted and failed: a 500, as Ollama answers. */
        FAILED,
        /** The caller went away (the client disconnected) and the pull stopped. */
        CANCELLED
    }

    private final Kind kind;

    public PullException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PullException(String message, Throwable cause) {
        super(message, cause);
        this.kind = Kind.FAILED;
    }

    public static PullException failed(String message) {
        return new PullException(Kind.FAILED, message);
    }

    public Kind kind() {
        return kind;
    }
}
