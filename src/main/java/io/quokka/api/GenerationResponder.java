package io.quokka.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.GenerationService;
import io.quokka.generation.Outcome;
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
 * object. Endpoint-specific shapes come from a {@link Shape}. Claiming the model happens before the response
 * starts, so a load failure still gets its status code.
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
        // The close handler runs on the event loop; telling the runner to stop writes to a pipe, so hand it off.
        if (http != null) http.closeHandler(v -> Thread.startVirtualThread(cancel::cancel));
        GenerationService.Run run = service.start(prepared, cancel);
        if (!stream) {
            try (run) {
                StringBuilder text = new StringBuilder();
                Outcome outcome = run.generate(text::append);
                return Response.ok(shape.done(text.toString(), outcome)).type(JSON).build();
            }
        }
        StreamingOutput body = out -> {
            try (run) {
                Outcome outcome = run.generate(piece -> writeLine(out, shape.chunk(piece)));
                writeLine(out, shape.done("", outcome));
            } catch (EngineException e) {
                LOG.warnf("generation failed mid-stream: %s", e.getMessage());
                writeLine(out, new io.quokka.api.ollama.ErrorResponse(e.getMessage()));
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
