package io.quokka.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.GenerationService;
import io.quokka.generation.Outcome;
import io.quokka.generation.ShuttingDownException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/**
 * Runs a prepared generation and writes Ollama's answer: NDJSON streamed line by line (each flushed as its token
 * arrives, the last carrying the metrics, or an {@code {"error"}} line if the engine fails midway), or one JSON
 * object. Endpoint-specific shapes come from a {@link Shape}. A streamed answer sends its headers at once and
 * claims the model afterwards, so a slow load does not time the client out (a load failure is then the stream's
 * {@code {"error"}} line); a non-streamed one claims first, so a failure still gets its status code.
 */
final class GenerationResponder {
    private static final Logger LOG = Logger.getLogger(GenerationResponder.class);
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json; charset=utf-8";

    /** How one endpoint shapes its chunks and final object. */
    interface Shape {
        Object chunk(String text);

        Object done(String fullText, Outcome outcome);
    }

    private final GenerationService service;
    private final ObjectMapper mapper;

    GenerationResponder(GenerationService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    Response respond(GenerationService.Prepared prepared, boolean stream, Shape shape, HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        CancelToken cancel = new CancelToken();
        if (http != null) http.closeHandler(v -> cancel.cancel());
        if (!stream) {
            try (GenerationService.Run run = service.start(prepared, cancel)) {
                StringBuilder text = new StringBuilder();
                Outcome outcome = run.generate(text::append);
                return Response.ok(shape.done(text.toString(), outcome)).type(JSON).build();
            }
        }
        StreamingOutput body = out -> {
            // Headers at once: the client sees 200 while the model loads, instead of timing out; a failure from
            // here on becomes the stream's last line.
            out.flush();
            try (GenerationService.Run run = service.start(prepared, cancel)) {
                Outcome outcome = run.generate(piece -> writeLine(out, shape.chunk(piece)));
                writeLine(out, shape.done("", outcome));
            } catch (EngineException | ServerBusyException | RequestCancelledException | ShuttingDownException e) {
                LOG.warnf("streamed generation failed: %s", e.getMessage());
                try {
                    writeLine(out, new io.quokka.api.ollama.ErrorResponse(e.getMessage()));
                } catch (UncheckedIOException gone) {
                    // The client already left.
                }
            } catch (UncheckedIOException e) {
                // The client went away: stop generating, nothing left to write to.
                cancel.cancel();
            }
        };
        return Response.ok(body).type(NDJSON).build();
    }

    private void writeLine(OutputStream out, Object value) {
        try {
            out.write(mapper.writeValueAsBytes(value));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
