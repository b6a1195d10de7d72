package io.quokka.api.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A chat completion's answer, as Ollama's {@code ChatWriter} writes it: the first chunk carries the role, each
 * piece of text is one chunk, then a chunk with an empty delta and the finish reason, then (with
 * {@code include_usage}) a chunk with the usage and no choices. One id and one {@code created} for the stream.
 */
final class ChatShape implements SseResponder.Shape {
    static final String FINGERPRINT = "fp_ollama";

    private final String id = "chatcmpl-" + ThreadLocalRandom.current().nextInt(999);
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;
    private boolean roleSent;

    ChatShape(String model, boolean includeUsage) {
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public Object whole(String text, String finishReason, Usage usage) {
        var choice = new ChatCompletion.Choice(0, new ChatCompletion.Message("assistant", text), finishReason);
        return new ChatCompletion(id, "chat.completion", created, model, FINGERPRINT, List.of(choice), usage);
    }

    @Override
    public List<Object> piece(String text) {
        return List.of(delta(text));
    }

    @Override
    public List<Object> finish(String finishReason, Usage usage) {
        List<Object> events = new ArrayList<>(3);
        // A completion with no text at all still opens with a role chunk.
        if (!roleSent) events.add(delta(""));
        var finish = new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(null, null), finishReason);
        events.add(chunk(List.of(finish), null));
        if (includeUsage) events.add(chunk(List.of(), usage));
        return events;
    }

    private ChatCompletionChunk delta(String text) {
        String role = roleSent ? null : "assistant";
        roleSent = true;
        return chunk(List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(role, text), null)), null);
    }

    private ChatCompletionChunk chunk(List<ChatCompletionChunk.Choice> choices, Usage usage) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, FINGERPRINT, choices, usage);
    }
}
