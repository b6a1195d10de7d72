package io.quokka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ollama.Timestamps;
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
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Runs a prepared generation and writes Ollama's answer: NDJSON streamed line by line (each flushed as its token
 * arrives, the last carrying the metrics, or an {@code {"error"}} line if the engine fails midway), or one JSON
 * object. Endpoint-specific shapes come from a {@link Shape}. A streamed answer whose model is not available within
 * 100 ms (a load, a queue) commits its 200 and headers at once with an empty chunk, so a slow load does not time the
 * client out (a failure is then the stream's {@code {"error"}} line); a non-streamed one claims first, so a failure
 * still gets its status code.
 */
final class GenerationResponder {
    private static final Logger LOG = Logger.getLogger(GenerationResponder.class);
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json; charset=utf-8";
    private static final byte[] NEWLINE = {'\n'};
    /** How long a streamed request waits for its model before committing the response with an empty chunk. */
    static final long HEADERS_AFTER_MILLIS = 100;

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

    private final GenerationService service;
    private final ObjectMapper mapper;

    GenerationResponder(GenerationService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    Response respond(GenerationService.Prepared prepared, boolean stream, Shape shape, HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        if (prepared.noWork()) return loadOrUnload(prepared, shape);
        prepared = FallbackHeaders.routed(prepared);
        GenerationService.Prepared routed = prepared;
        CancelToken cancel = new CancelToken();
        ClientWatch watch = ClientWatch.start(http, cancel);
        if (!stream) {
            try (watch; GenerationService.Run run = service.start(prepared, cancel)) {
                ReplyParser parser = run.replyParser();
                Reply.Builder reply = new Reply.Builder();
                Outcome outcome = run.generate(piece -> reply.add(parser.add(piece)));
                reply.add(parser.finish());
                Object done = FallbackHeaders.answeredBy(mapper, shape.done(reply.build(), outcome), run.fallback());
                return FallbackHeaders.tell(Response.ok(done), run.fallback()).type(JSON).build();
            }
        }
        // Claim the model on a virtual thread. A fast claim (or a fast failure, which keeps its status code) is
        // settled before the response starts; a slow one (a load, a queue) gets its headers at once, through an
        // empty chunk, so the client does not time out, and a failure from then on is the stream's last line.
        FutureTask<GenerationService.Run> claim = new FutureTask<>(() -> service.start(routed, cancel));
        Thread.ofVirtual().name("claim").start(claim);
        boolean settled;
        try {
            claim.get(HEADERS_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            settled = true;
        } catch (TimeoutException slow) {
            settled = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(claim, cancel);
            watch.close();
            throw new RequestCancelledException();
        } catch (ExecutionException e) {
            watch.close();
            throw rethrow(e);
        }
        boolean waited = !settled;
        StreamingOutput body = out -> {
            GenerationService.Run run = null;
            ChunkStream lines = ChunkStream.of(http, out);
            try (watch) {
                if (waited) writeLine(lines, shape.chunk(Reply.EMPTY));
                run = await(claim, cancel);
                GenerationService.Run answering = run;
                ReplyParser parser = run.replyParser();
                TextChunkTemplate text = TextChunkTemplate.of(mapper, shape::textChunk);
                // Called on the I/O event loop as each token arrives from the runner: the line goes out from there.
                Outcome outcome = run.generate(piece -> {
                    Reply r = parser.add(piece);
                    if (r.isEmpty()) return; // a held-back tag or call waits
                    if (text != null && r.isTextOnly() && answering.fallback() == null) {
                        lines.write(text.parts(Timestamps.now(), r.content(), NEWLINE));
                    } else {
                        writeLine(lines, FallbackHeaders.answeredBy(mapper, shape.chunk(r), answering.fallback()));
                    }
                    watch.relax();
                });
                writeLine(lines, FallbackHeaders.answeredBy(mapper, shape.done(parser.finish(), outcome), run.fallback()));
            } catch (UncheckedIOException e) {
                // The client went away: stop generating, nothing left to write to.
                cancel.cancel();
            } catch (Exception e) {
                LOG.warnf("streamed generation failed: %s", e.getMessage());
                try {
                    writeLine(lines, new io.quokka.api.ollama.ErrorResponse(e.getMessage()));
                } catch (UncheckedIOException gone) {
                    // The client already left.
                }
            } finally {
                if (run != null) run.close();
            }
        };
        // A fallback decided before the answer starts is in its headers; a later one only in the lines' model.
        return FallbackHeaders.tell(Response.ok(body), settled ? claim.resultNow().fallback() : null).type(NDJSON)
                .build();
    }

    /** An empty prompt (or no messages) loads the model; with {@code keep_alive: 0} it unloads it instead. */
    private Response loadOrUnload(GenerationService.Prepared prepared, Shape shape)
            throws EngineException, ServerBusyException, RequestCancelledException {
        if (prepared.keepAlive() != null && prepared.keepAlive().immediate()) {
            service.unload(prepared);
            return Response.ok(shape.noWork("unload")).type(JSON).build();
        }
        try (var run = service.start(prepared, new CancelToken())) {
            return Response.ok(shape.noWork("load")).type(JSON).build();
        }
    }

    private static GenerationService.Run await(FutureTask<GenerationService.Run> claim, CancelToken cancel)
            throws Exception {
        try {
            return claim.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(claim, cancel);
            throw new RequestCancelledException();
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    /** The claim's own failure, unwrapped, so it maps to its status code. */
    private static RuntimeException rethrow(ExecutionException e) throws EngineException, ServerBusyException,
            RequestCancelledException {
        switch (e.getCause()) {
            case EngineException x -> throw x;
            case ServerBusyException x -> throw x;
            case RequestCancelledException x -> throw x;
            case RuntimeException x -> throw x;
            default -> throw new IllegalStateException(e.getCause());
        }
    }

    /** Cancels a claim nobody will use, releasing the model if it was claimed anyway. */
    private static void abandon(FutureTask<GenerationService.Run> task, CancelToken cancel) {
        cancel.cancel();
        try {
            task.get().close();
        } catch (Exception ignored) {
            // Cancelled or failed: nothing claimed.
        }
    }

    private void writeLine(ChunkStream lines, Object value) {
        try {
            lines.write(mapper.writeValueAsBytes(value), NEWLINE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

}
