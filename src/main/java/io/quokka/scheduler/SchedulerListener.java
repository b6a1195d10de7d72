package io.quokka.scheduler;

/**
 * Observes the scheduler's residency decisions, for metrics and logs. Called on the thread that made the change,
 * sometimes with the scheduler's lock held: implementations must be quick and must not call back into the
 * scheduler. Every method has an empty default.
 */
public interface SchedulerListener {

    /** {@code spec}'s model is resident after a load that took {@code loadNanos} (spawn to ready). */
    default void loaded(ModelSpec spec, long loadNanos) {}

    /** Loading {@code spec}'s model failed after {@code nanos}. */
    default void loadFailed(ModelSpec spec, long nanos, String message) {}

    /** {@code spec}'s runner was ended. */
    default void unloaded(ModelSpec spec, UnloadReason reason) {}
}
