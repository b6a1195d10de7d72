package io.quokka.engine;

/** A failure on the runner side, classified so the HTTP layer can choose the status. */
public final class EngineException extends Exception {

    public enum Kind {
        /** The request cannot be served by this model (unknown template, invalid grammar, ...): a 400. */
        BAD_REQUEST,
        /** The runner could not start or the model did not load: a 500. */
        LOAD_FAILED,
        /** The runner exited or stopped answering while serving: a 500. */
        RUNNER_FAILED
    }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
