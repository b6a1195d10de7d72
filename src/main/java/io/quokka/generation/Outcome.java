package io.quokka.generation;

import io.quokka.engine.GenerationResult;

/**
 * A finished generation with the request-level timings Ollama reports next to the engine's counts.
 *
 * @param result        the engine's counts and done reason
 * @param loadNanos     time spent waiting for and loading the model
 * @param totalNanos    time from the request's arrival to the end
 */
public record Outcome(GenerationResult result, long loadNanos, long totalNanos) {}
