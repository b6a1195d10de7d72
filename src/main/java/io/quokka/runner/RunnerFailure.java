package io.quokka.runner;

import io.quokka.engine.EngineException;
import io.quokka.runner.protocol.Event;

/** A command the runner refuses or cannot complete; it becomes an {@code Event.Failed}, the runner lives on. */
final class RunnerFailure extends Exception {
    final EngineException.Kind kind;

    RunnerFailure(EngineException.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    static RunnerFailure badRequest(String message) {
        return new RunnerFailure(EngineException.Kind.BAD_REQUEST, message);
    }

    /**
     * The failure event of request {@code id}, which failed unexpectedly while the runner was {@code what} (a
     * bug, or its input too big for the runner's heap: an {@link OutOfMemoryError} frees what the request held).
     */
    static Event.Failed of(long id, String what, Throwable e, RunnerLog log) {
        String message = what + " failed: " + e;
        log.info(message);
        return new Event.Failed(id, EngineException.Kind.RUNNER_FAILED, message);
    }
}
