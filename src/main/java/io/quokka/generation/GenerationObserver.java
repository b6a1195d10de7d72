package io.quokka.generation;

/**
 * Observes every generation that reached the scheduler, once, when it ends: for metrics and the access log.
 * Called on the request's thread after the last byte of the answer was produced; must be quick.
 */
@FunctionalInterface
public interface GenerationObserver {
    void finished(GenerationReport report);
}
