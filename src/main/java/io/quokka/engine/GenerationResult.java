package io.quokka.engine;

/**
 * How a generation ended, with exact counts from llama.cpp.
 *
 * @param doneReason         why it ended
 * @param promptEvalCount    prompt tokens evaluated (after truncation)
 * @param promptEvalNanos    time spent evaluating them
 * @param evalCount          tokens sampled, counting a final end-of-generation token as Ollama's runner does
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
