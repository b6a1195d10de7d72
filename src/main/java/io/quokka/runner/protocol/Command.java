package io.quokka.runner.protocol;

import io.quokka.engine.ChatMessage;
import io.quokka.engine.GenerationRequest;
import java.util.List;

/**
 * What the server sends a runner. Every command that expects an answer carries an {@code id} chosen by the
 * server; the runner's {@link Event}s for it carry the same id, so answers can be matched (and, later, several
 * generations can be in flight on different llama.cpp sequences).
 */
public sealed interface Command {

    /** Asks for a {@link Event.Pong}; measures the channel and proves the runner is responsive. */
    record Ping(long id) implements Command {}

    /** Tokenize {@code text} (special tokens parsed); answered by {@link Event.Tokens}. */
    record Tokenize(long id, String text, boolean addSpecial) implements Command {}

    /**
     * Render {@code messages} with llama.cpp's built-in template support; {@code template} null means the
     * model's own. Answered by {@link Event.Text} or {@link Event.Failed}.
     */
    record ApplyTemplate(long id, String template, List<ChatMessage> messages, boolean addAssistantPrefix)
            implements Command {}

    /** Run one generation; answered by {@link Event.Piece}s then {@link Event.Done} or {@link Event.Failed}. */
    record Generate(long id, GenerationRequest request) implements Command {}

    /**
     * Embed every input (pooled, not normalised); answered by {@link Event.Embeddings} or {@link Event.Failed}.
     * Runs on the generation thread, in turn with generations; {@link Cancel} stops it.
     */
    record Embed(long id, List<String> inputs, boolean truncate) implements Command {}

    /** Stop generation {@code id} as soon as possible; it still ends with a {@link Event.Done} (CANCELLED). */
    record Cancel(long id) implements Command {}

    /** End the runner process now. */
    record Shutdown() implements Command {}
}
