package io.quokka.engine;

/**
 * How a generation ended, with exact counts from llama.cpp.
 *
 * @param doneReason         why it ended
 * @param promptEvalCount    prompt tokens evaluated (after truncation)
 * @param promptEvalNanos    time spent evaluating them
 * @param evalCount          tokens generated (the end-of-generation token is not counted)
 * @param evalNanos          time spent generating them
 * @param context            prompt tokens followed by generated tokens, for {@code /api/generate}'s
 *                           {@code context}
 */
public record GenerationResult(
        DoneReason doneReason,
        int promptEvalCount,
        long promptEvalNanos,
        int evalCount,
        long evalNanos,
        int[] context) {}
