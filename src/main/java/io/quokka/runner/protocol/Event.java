package io.quokka.runner.protocol;

import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationResult;

/** What a runner sends the server. */
public sealed interface Event {

    /** The model loaded; sent once, first. */
    record Ready(int contextLength, int trainedContext, int vocabSize, String chatTemplate) implements Event {}

    /** The model did not load; sent instead of {@link Ready}, then the runner exits. */
    record LoadFailed(String message) implements Event {}

    /** Answer to {@link Command.Ping}. */
    record Pong(long id) implements Event {}

    /** Answer to {@link Command.Tokenize}. */
    record Tokens(long id, int[] tokens) implements Event {}

    /** Answer to {@link Command.ApplyTemplate}. */
    record Text(long id, String text) implements Event {}

    /** Generated text for generation {@code id}: complete UTF-8, stop strings already withheld. */
    record Piece(long id, String text) implements Event {}

    /** Generation {@code id} ended. */
    record Done(long id, GenerationResult result) implements Event {}

    /** Answer to {@link Command.Embed}: one vector per input, and the tokens evaluated over all of them. */
    record Embeddings(long id, float[][] vectors, int promptEvalCount, long promptEvalNanos) implements Event {}

    /** Command {@code id} failed; the runner is still usable. */
    record Failed(long id, EngineException.Kind kind, String message) implements Event {}
}
