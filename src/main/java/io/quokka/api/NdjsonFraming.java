package io.quokka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ollama.ErrorResponse;
import io.quokka.api.ollama.Timestamps;
import io.quokka.generation.Fallback;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
import jakarta.ws.rs.core.Response;

/**
 * Ollama's framing: NDJSON, one JSON object a line, the last carrying the metrics (or an {@code {"error"}} line if
 * the generation fails midway); a stream whose model is slow to come opens with an empty chunk. A non-streamed
 * answer, and the answer to a request with nothing to generate, are one JSON object. The endpoint's objects come
 * from its {@link Shape}.
 */
final class NdjsonFraming implements Framing {
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json; charset=utf-8";
    private static final byte[] NEWLINE = {'\n'};

    /** How one endpoint shapes its chunks and final object. */
    interface Shape {
        /** One streamed piece: text, thinking, tool calls. */
        Object chunk(Reply piece);

        /** The final object: the whole reply when not streamed, else what was held back until the end. */
        Object done(Reply reply, Outcome outcome);

        /** The answer to a request with nothing to generate: done_reason "load" or "unload". */
        Object noWork(String doneReason);

        /**
         * A streamed piece that is only text, made at {@code createdAt}: what {@link #chunk} makes of it, for
         * {@link TextChunkTemplate}; null when the endpoint has no such chunk.
         */
        default Object textChunk(String createdAt, String text) {
            return null;
        }
    }

    private final Shape shape;
    private final ObjectMapper mapper;
    /** The text-only chunk's template, made the first time one is written (null: Jackson writes every chunk). */
    private TextChunkTemplate text;
    private boolean templateMade;

    NdjsonFraming(Shape shape, ObjectMapper mapper) {
        this.shape = shape;
        this.mapper = mapper;
    }

    @Override
    public String streamType() {
        return NDJSON;
    }

    @Override
    public String wholeType() {
        return JSON;
    }

    @Override
    public byte[][] opening() {
        return line(shape.chunk(Reply.EMPTY));
    }

    @Override
    public byte[][] piece(Reply piece, Fallback fallback) {
        if (piece.isTextOnly() && fallback == null) {
            if (!templateMade) {
                text = TextChunkTemplate.of(mapper, shape::textChunk);
                templateMade = true;
            }
            if (text != null) return text.parts(Timestamps.now(), piece.content(), NEWLINE);
        }
        return line(FallbackHeaders.answeredBy(mapper, shape.chunk(piece), fallback));
    }

    @Override
    public byte[][] end(Reply rest, Outcome outcome, Fallback fallback) {
        return line(FallbackHeaders.answeredBy(mapper, shape.done(rest, outcome), fallback));
    }

    @Override
    public byte[][] failure(Exception e) {
        return line(new ErrorResponse(ErrorTable.of(e).message()));
    }

    @Override
    public Object whole(Reply reply, Outcome outcome, Fallback fallback) {
        return FallbackHeaders.answeredBy(mapper, shape.done(reply, outcome), fallback);
    }

    /** One JSON object whether streamed or not, as Ollama answers a load or an unload. */
    @Override
    public Response nothingToGenerate(String doneReason, boolean stream) {
        return Response.ok(shape.noWork(doneReason)).type(JSON).build();
    }

    private byte[][] line(Object value) {
        try {
            return new byte[][] {mapper.writeValueAsBytes(value), NEWLINE};
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
