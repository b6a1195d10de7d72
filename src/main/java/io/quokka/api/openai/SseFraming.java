package io.quokka.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.FallbackHeaders;
import io.quokka.api.Framing;
import io.quokka.api.TextChunkTemplate;
import io.quokka.generation.Fallback;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OpenAI's framing: one JSON object, or server-sent events ({@code data: {...}\n\n}) ending with
 * {@code data: [DONE]}. A stream whose model is slow to come commits its headers alone. A failure midway ends the
 * stream with {@code data: {"error": {...}}} (the status and message the failure gets before a stream starts) and no
 * {@code [DONE]}, which the OpenAI SDKs raise as an API error. The endpoint's events come from its {@link Shape}.
 */
final class SseFraming implements Framing {
    static final String EVENT_STREAM = "text/event-stream";
    static final String JSON = "application/json";
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    /** How one endpoint shapes its answer. Streamed calls happen in order on one thread. */
    interface Shape {
        /** The whole answer of a non-streamed request. */
        Object whole(Reply reply, String finishReason, Usage usage);

        /** The events for one piece of the reply (text, thinking, tool calls). */
        List<Object> piece(Reply piece);

        /** The events after the last piece: what was held back until the end, the finish reason, the usage. */
        List<Object> finish(Reply rest, String finishReason, Usage usage);

        /**
         * The one event a piece of {@code text} alone would make now (what {@link #piece} returns for it), without
         * changing the shape's state; null when such a piece has to go through {@link #piece} (for a chat, until the
         * first chunk has carried the role). Non-null lets its events be written from a {@link TextChunkTemplate}.
         */
        default Object textEvent(String text) {
            return null;
        }
    }

    private final Shape shape;
    private final ObjectMapper mapper;
    /** The text-only event's template, made the first time the shape offers one (null: Jackson writes them all). */
    private TextChunkTemplate text;
    private boolean templateMade;

    SseFraming(Shape shape, ObjectMapper mapper) {
        this.shape = shape;
        this.mapper = mapper;
    }

    @Override
    public String streamType() {
        return EVENT_STREAM;
    }

    @Override
    public String wholeType() {
        return JSON;
    }

    @Override
    public byte[][] opening() {
        return new byte[0][];
    }

    @Override
    public byte[][] piece(Reply piece, Fallback fallback) {
        byte[][] cheap = piece.isTextOnly() && fallback == null ? textEvent(piece.content()) : null;
        return cheap != null ? cheap : events(answeredBy(shape.piece(piece), fallback));
    }

    @Override
    public byte[][] end(Reply rest, Outcome outcome, Fallback fallback) {
        byte[][] events = events(answeredBy(shape.finish(rest, reason(outcome), Usage.of(outcome.result())), fallback));
        byte[][] last = Arrays.copyOf(events, events.length + 1);
        last[events.length] = DONE;
        return last;
    }

    @Override
    public byte[][] failure(Exception e) {
        return events(List.of(OpenAiErrors.of(e).getEntity()));
    }

    @Override
    public Object whole(Reply reply, Outcome outcome, Fallback fallback) {
        return FallbackHeaders.answeredBy(mapper, shape.whole(reply, reason(outcome), Usage.of(outcome.result())),
                fallback);
    }

    /** Only loads the model and answers with the finish reason "load", as Ollama's native handlers do. */
    @Override
    public Response nothingToGenerate(String doneReason, boolean stream) {
        if (!stream) return Response.ok(shape.whole(Reply.EMPTY, doneReason, Usage.ZERO)).type(JSON).build();
        List<Object> events = new ArrayList<>(shape.finish(Reply.EMPTY, doneReason, Usage.ZERO));
        StreamingOutput body = out -> {
            for (byte[] part : events(events)) out.write(part);
            out.write(DONE);
            out.flush();
        };
        return Response.ok(body).type(EVENT_STREAM).build();
    }

    /**
     * The event for a piece of {@code text} alone, from a {@link TextChunkTemplate} (as {@code /api/generate}'s lines
     * are), made the first time the shape offers one; null when it must be serialised by Jackson (not offered yet,
     * or an event the template cannot reproduce).
     */
    private byte[][] textEvent(String content) {
        if (!templateMade) {
            if (shape.textEvent("") == null) return null; // not yet
            text = TextChunkTemplate.of(mapper, (time, t) -> shape.textEvent(t));
            if (text != null) text = text.after(DATA);
            templateMade = true;
        }
        return text == null ? null : text.parts(null, content, EVENT_END);
    }

    /** The events with their {@code model} naming the model that answers, when a fallback does. */
    private List<Object> answeredBy(List<Object> events, Fallback fallback) {
        if (fallback == null) return events;
        return events.stream().map(e -> FallbackHeaders.answeredBy(mapper, e, fallback)).toList();
    }

    private static String reason(Outcome outcome) {
        return outcome.result().doneReason().wireName;
    }

    /** {@code events} as the parts of one chunk. */
    private byte[][] events(List<Object> events) {
        byte[][] parts = new byte[events.size() * 3][];
        int i = 0;
        for (Object event : events) {
            parts[i++] = DATA;
            try {
                parts[i++] = mapper.writeValueAsBytes(event);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise " + event.getClass().getSimpleName(), e);
            }
            parts[i++] = EVENT_END;
        }
        return parts;
    }
}
