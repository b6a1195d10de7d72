package io.quokka.fallback.upstream;

/**
 * An upstream could not answer: it was unreachable, too slow, or answered with an error. The status is the upstream's
 * own (or 502 when it never answered, 504 when it was too slow), so the caller gets it in its API's error shape. The
 * message names the upstream by model and URL and never carries its API key.
 */
public final class UpstreamException extends RuntimeException {
    private final int status;

    public UpstreamException(int status, String message) {
        super(message);
        this.status = status;
    }

    public UpstreamException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
