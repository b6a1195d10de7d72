package io.quokka.scheduler;

/** Why a resident model's runner was ended; {@link #label} is the metrics tag and log word. */
public enum UnloadReason {
    /** Its keep-alive ran out (including {@code keep_alive: 0} after a request). */
    EXPIRED("expired"),
    /** Another model needed the slot, or the same model with different load-time options. */
    REPLACED("replaced"),
    /** A client asked for it ({@code keep_alive: 0} with nothing to generate). */
    REQUESTED("requested"),
    /** Evicted to stay under the memory limit. */
    MEMORY("memory"),
    /** The runner process had exited (crashed, killed, or ended by the watchdog). */
    RUNNER_EXITED("runner_exited"),
    /** The server is shutting down. */
    SHUTDOWN("shutdown");

    public final String label;

    UnloadReason(String label) {
        this.label = label;
    }
}
