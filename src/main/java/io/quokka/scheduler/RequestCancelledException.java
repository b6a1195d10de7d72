package io.quokka.scheduler;

/** The client went away while its request waited for a model. */
public final class RequestCancelledException extends Exception {
    public RequestCancelledException() {
        super("request canceled");
    }
}
