package io.quokka.api.openai;

import io.quokka.generation.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A legacy completion's answer, as Ollama's {@code CompleteWriter} writes it: each piece of text is one chunk
 * with a null finish reason, then a chunk with empty text and the finish reason, then (with
 * {@code include_usage}) a chunk with the usage and no choices; with {@code include_usage} every other chunk
 * carries zero usage.
 */
final class CompletionShape implements SseFraming.Shape {
    private final String id = "cmpl-" + ThreadLocalRandom.current().nextInt(999);
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;

    CompletionShape(String model, boolean includeUsage) {
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public Object whole(Reply reply, String finishReason, Usage usage) {
        return new Completion(id, "text_completion", created, model, ChatShape.FINGERPRINT,
                List.of(new Completion.Choice(reply.content(), 0, finishReason)), usage);
    }

    /** Only the answer's text: a thinking model's thinking is not part of a completion, as in Ollama. */
    @Override
    public List<Object> piece(Reply piece) {
        if (piece.content().isEmpty()) return List.of();
        return List.of(chunk(List.of(new Completion.Choice(piece.content(), 0, null)), includeUsage ? Usage.ZERO : null));
    }

    @Override
    public List<Object> finish(Reply rest, String finishReason, Usage usage) {
        List<Object> events = new ArrayList<>(3);
        events.addAll(piece(rest));
        events.add(chunk(List.of(new Completion.Choice("", 0, finishReason)), includeUsage ? Usage.ZERO : null));
        if (includeUsage) events.add(chunk(List.of(), usage));
        return events;
    }

    private CompletionChunk chunk(List<Completion.Choice> choices, Usage usage) {
        return new CompletionChunk(id, "text_completion", System.currentTimeMillis() / 1000, choices, model,
                ChatShape.FINGERPRINT, usage);
    }
}
