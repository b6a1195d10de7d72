package io.quokka.api.openai;

import io.quokka.generation.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A chat completion's answer, as Ollama's {@code ChatWriter} writes it: the first chunk carries the role, each
 * piece of the reply is one chunk (a piece with both reasoning and content or tool calls is split in two, reasoning
 * first), then a chunk with an empty delta and the finish reason ("tool_calls" instead of "stop" once a call was
 * sent), then (with {@code include_usage}) a chunk with the usage and no choices. One id and one {@code created}
 * for the stream.
 */
final class ChatShape implements SseFraming.Shape {
    static final String FINGERPRINT = "fp_ollama";

    private final String id = "chatcmpl-" + ThreadLocalRandom.current().nextInt(999);
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;
    private boolean roleSent;
    private boolean toolCallSent;

    ChatShape(String model, boolean includeUsage) {
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public Object whole(Reply reply, String finishReason, Usage usage) {
        List<ToolCall> calls = ToolCall.of(reply.toolCalls());
        var message = new ChatCompletion.Message("assistant", reply.content(), reply.thinking(), calls);
        var choice = new ChatCompletion.Choice(0, message, finishReason(finishReason, !calls.isEmpty()));
        return new ChatCompletion(id, "chat.completion", created, model, FINGERPRINT, List.of(choice), usage);
    }

    @Override
    public List<Object> piece(Reply piece) {
        List<ToolCall> calls = ToolCall.of(piece.toolCalls());
        toolCallSent |= !calls.isEmpty();
        boolean mixed = !piece.thinking().isEmpty() && (!piece.content().isEmpty() || !calls.isEmpty());
        if (!mixed) return List.of(delta(piece.content(), piece.thinking(), calls));
        return List.of(delta(null, piece.thinking(), List.of()), delta(piece.content(), "", calls));
    }

    /** After the role chunk, a piece of text alone is one delta with its content, as {@link #piece} makes it. */
    @Override
    public Object textEvent(String text) {
        return roleSent ? delta(text, "", List.of()) : null;
    }

    @Override
    public List<Object> finish(Reply rest, String finishReason, Usage usage) {
        List<Object> events = new ArrayList<>(4);
        if (!rest.isEmpty()) events.addAll(piece(rest));
        // A completion with no text at all still opens with a role chunk.
        if (!roleSent) events.add(delta("", "", List.of()));
        var finish = new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(null, null),
                finishReason(finishReason, toolCallSent));
        events.add(chunk(List.of(finish), null));
        if (includeUsage) events.add(chunk(List.of(), usage));
        return events;
    }

    /** "tool_calls" replaces "stop" only: a reply cut by {@code max_tokens} stays "length". */
    private static String finishReason(String reason, boolean calls) {
        return "stop".equals(reason) && calls ? "tool_calls" : reason;
    }

    private ChatCompletionChunk delta(String text, String reasoning, List<ToolCall> calls) {
        String role = roleSent ? null : "assistant";
        roleSent = true;
        var delta = new ChatCompletionChunk.Delta(role, text, reasoning, calls);
        return chunk(List.of(new ChatCompletionChunk.Choice(0, delta, null)), null);
    }

    private ChatCompletionChunk chunk(List<ChatCompletionChunk.Choice> choices, Usage usage) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, FINGERPRINT, choices, usage);
    }
}
