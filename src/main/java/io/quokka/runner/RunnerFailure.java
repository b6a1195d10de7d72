package io.quokka.runner;

import io.quokka.engine.EngineException;

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
}
