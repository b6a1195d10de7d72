package io.quokka.scheduler;

/**
 * A point-in-time view of the scheduler's load, for readiness and metrics. Reading it never touches a keep-alive
 * timer.
 *
 * @param queued   requests waiting for a model (the queue {@code OLLAMA_MAX_QUEUE} limits)
 * @param inFlight requests holding a lease on a resident model (slots busy, all models together)
 * @param loading  the name of the model being loaded, or null
 */
public record SchedulerStats(int queued, int inFlight, String loading) {}
