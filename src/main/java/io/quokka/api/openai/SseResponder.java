package io.quokka.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ChunkStream;
import io.quokka.api.ClientWatch;
import io.quokka.api.FallbackHeaders;
import io.quokka.api.TextChunkTemplate;
import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.GenerationService;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
import io.quokka.generation.ReplyParser;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs a prepared generation and writes OpenAI's answer: one JSON object, or server-sent events
 * ({@code data: {...}\n\n}, each flushed as its token arrives) ending with {@code data: [DONE]}. The model is
 * claimed before the response starts, so a load failure still gets its status code; a failure midway ends the
 * stream with {@code data: {"error": {...}}} and no {@code [DONE]}, which the OpenAI SDKs raise as an API error.
 */
final class SseResponder {
    private static final Logger LOG = Logger.getLogger(SseResponder.class);
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

    private final GenerationService service;
    private final ObjectMapper mapper;

    SseResponder(GenerationService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    Response respond(GenerationService.Prepared prepared, boolean stream, Shape shape, HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        CancelToken cancel = new CancelToken();
        ClientWatch watch = ClientWatch.start(http, cancel); // ends with the response
        GenerationService.Run run = service.start(FallbackHeaders.routed(prepared), cancel);
        if (!stream) {
            try (run) {
                ReplyParser parser = run.replyParser();
                Reply.Builder reply = new Reply.Builder();
                Outcome outcome = run.generate(piece -> reply.add(parser.add(piece)));
                reply.add(parser.finish());
                Object whole = FallbackHeaders.answeredBy(mapper,
                        shape.whole(reply.build(), reason(outcome), Usage.of(outcome.result())), run.fallback());
                return FallbackHeaders.tell(Response.ok(whole), run.fallback()).type(JSON).build();
            }
        }
        StreamingOutput body = out -> {
            ChunkStream events = ChunkStream.of(http, out);
            try (run) {
                ReplyParser parser = run.replyParser();
                TextEvents text = new TextEvents(shape);
                // Called on the I/O event loop as each token arrives from the runner: the events go out from there.
                Outcome outcome = run.generate(piece -> {
                    Reply r = parser.add(piece);
                    if (r.isEmpty()) return;
                    byte[][] cheap = r.isTextOnly() && run.fallback() == null ? text.parts(r.content()) : null;
                    if (cheap != null) events.write(cheap);
                    else write(events, answeredBy(shape.piece(r), run));
                    watch.relax();
                });
                write(events, answeredBy(shape.finish(parser.finish(), reason(outcome), Usage.of(outcome.result())), run));
                events.write(DONE);
            } catch (EngineException e) {
                LOG.warnf("generation failed mid-stream: %s", e.getMessage());
                write(events, List.of(ErrorResponse.of(500, e.getMessage())));
            } catch (UpstreamException e) {
                LOG.warnf("upstream failed mid-stream: %s", e.getMessage());
                write(events, List.of(ErrorResponse.of(e.status(), e.getMessage())));
            } catch (UncheckedIOException e) {
                // The client went away: stop generating, nothing left to write to.
                cancel.cancel();
            }
        };
        return FallbackHeaders.tell(Response.ok(body), run.fallback()).type(EVENT_STREAM).build();
    }

    /**
     * A request with nothing to generate (an empty prompt) only loads the model and answers with the finish
     * reason "load", as Ollama's native handlers do.
     */
    Response loadOnly(GenerationService.Prepared prepared, boolean stream, Shape shape)
            throws EngineException, ServerBusyException, RequestCancelledException {
        try (var run = service.start(prepared, new CancelToken())) {
            if (!stream) return Response.ok(shape.whole(Reply.EMPTY, "load", Usage.ZERO)).type(JSON).build();
        }
        List<Object> events = new ArrayList<>(shape.finish(Reply.EMPTY, "load", Usage.ZERO));
        StreamingOutput body = out -> {
            write(out, events);
            out.write(DONE);
            out.flush();
        };
        return Response.ok(body).type(EVENT_STREAM).build();
    }

    /**
     * A stream's text-only events written from a {@link TextChunkTemplate} (as {@code /api/generate}'s lines are),
     * made the first time the shape offers one; a shape that never does, or whose event the template cannot
     * reproduce, keeps going through Jackson. Used on the one thread that writes the stream's events.
     */
    private final class TextEvents {
        private final Shape shape;
        private TextChunkTemplate template;
        private boolean made;

        TextEvents(Shape shape) {
            this.shape = shape;
        }

        /** The event for {@code text}, in parts; null when it must be serialised by Jackson. */
        byte[][] parts(String text) {
            if (!made) {
                if (shape.textEvent("") == null) return null; // not yet
                template = TextChunkTemplate.of(mapper, (time, t) -> shape.textEvent(t));
                if (template != null) template = template.after(DATA);
                made = true;
            }
            return template == null ? null : template.parts(null, text, EVENT_END);
        }
    }

    /** The events with their {@code model} naming the model that answers, when a fallback does. */
    private List<Object> answeredBy(List<Object> events, GenerationService.Run run) {
        if (run.fallback() == null) return events;
        return events.stream().map(e -> FallbackHeaders.answeredBy(mapper, e, run.fallback())).toList();
    }

    private static String reason(Outcome outcome) {
        return outcome.result().doneReason().wireName;
    }

    /** Writes {@code events} as one chunk. */
    private void write(ChunkStream stream, List<Object> events) {
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
        stream.write(parts);
    }

    private void write(OutputStream out, List<Object> events) {
        write(ChunkStream.of(null, out), events);
    }
}
