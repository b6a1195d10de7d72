package io.quokka.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ollama.ErrorResponse;
import io.quokka.api.ollama.ProgressResponse;
import io.quokka.api.ollama.PullRequest;
import io.quokka.engine.CancelToken;
import io.quokka.pull.ModelPuller;
import io.quokka.pull.PullEvent;
import io.quokka.pull.PullException;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * {@code POST /api/pull}, as Ollama answers it: NDJSON progress lines ({@code pulling manifest},
 * {@code pulling <digest>} with {@code total}/{@code completed}, {@code verifying sha256 digest},
 * {@code writing manifest}, {@code success}); a failure after the first line is a last {@code {"error"}} line, one
 * before it a 400 (invalid name) or 500. {@code "stream": false} answers the last status, or the error with a 500.
 * A client that leaves stops the pull; its partial download stays for the next pull to resume.
 */
@Path("/api/pull")
public class PullResource {
    private static final Logger LOG = Logger.getLogger(PullResource.class);

    private final ModelPuller puller;
    private final RequestBodies bodies;
    private final ObjectMapper mapper;

    PullResource(ModelPuller puller, RequestBodies bodies) {
        this.puller = puller;
        this.bodies = bodies;
        this.mapper = bodies.mapper();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response pull(byte[] body, @Context HttpServerResponse http) {
        PullRequest req = bodies.decode(body, PullRequest.class);
        String model = req.model() != null && !req.model().isEmpty() ? req.model() : req.name();
        boolean insecure = Boolean.TRUE.equals(req.insecure());
        try {
            ModelPuller.storedName(model, insecure); // an invalid name is refused before anything streams
        } catch (PullException e) {
            return failure(e);
        }
        CancelToken cancel = new CancelToken();
        if (Boolean.FALSE.equals(req.stream())) {
            AtomicReference<PullEvent> last = new AtomicReference<>();
            try (ClientWatch watch = ClientWatch.start(http, cancel)) {
                puller.pull(model, insecure, last::set, cancel::isCancelled);
                return Response.ok(wire(last.get())).type(NdjsonFraming.JSON).build();
            } catch (PullException e) {
                return failure(e);
            }
        }
        StreamingOutput stream = out -> {
            try (ClientWatch watch = ClientWatch.start(http, cancel)) {
                puller.pull(model, insecure, event -> writeLine(out, wire(event)), cancel::isCancelled);
            } catch (UncheckedIOException gone) {
                LOG.infof("pull of %s stopped: the client went away", model);
            } catch (PullException e) {
                if (e.kind() == PullException.Kind.CANCELLED) {
                    LOG.infof("pull of %s stopped: the client went away", model);
                    return;
                }
                LOG.warnf("pull of %s failed: %s", model, e.getMessage());
                try {
                    writeLine(out, new ErrorResponse(e.getMessage()));
                } catch (UncheckedIOException gone) {
                    // The client already left.
                }
            } catch (RuntimeException e) {
                LOG.error("pull of " + model + " failed", e);
                try {
                    writeLine(out, new ErrorResponse(String.valueOf(e.getMessage())));
                } catch (UncheckedIOException gone) {
                    // The client already left.
                }
            }
        };
        return Response.ok(stream).type(NdjsonFraming.NDJSON).build();
    }

    private static Response failure(PullException e) {
        return switch (e.kind()) {
            case INVALID_REQUEST -> ErrorMapper.error(400, e.getMessage());
            case CANCELLED -> ErrorMapper.error(499, e.getMessage());
            case FAILED -> {
                LOG.warnf("pull failed: %s", e.getMessage());
                yield ErrorMapper.error(500, e.getMessage());
            }
        };
    }

    static ProgressResponse wire(PullEvent event) {
        if (event instanceof PullEvent.Downloading d) {
            return new ProgressResponse(d.status(), d.digest(), d.total(), d.completed());
        }
        return ProgressResponse.of(event == null ? "success" : event.status());
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
