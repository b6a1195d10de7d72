package io.quokka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quokka.engine.EngineException;
import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.ModelUnusableException;
import io.quokka.generation.ShuttingDownException;
import io.quokka.models.NotFoundException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import io.quokka.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import org.jboss.logging.Logger;

/**
 * The one table from a failure to what the client is told — status, kind and message — and to what the log says,
 * for every endpoint. Each API family renders an entry in its own shape: Ollama's {@code {"error": "..."}}
 * ({@link ErrorMapper}), OpenAI's {@code {"error": {"message", "type", ...}}} ({@code OpenAiErrors}), a stream's last
 * line or event. The statuses are Ollama's: 400 for bad input, 404 for a missing model, 499 when the client left, 503
 * when the queue is full or the server is shutting down, 500 otherwise (a load the memory guard refused included).
 */
public final class ErrorTable {
    private static final Logger LOG = Logger.getLogger(ErrorTable.class);

    /** What kind of failure it is, for shapes that say so (OpenAI's {@code type}). */
    public enum Kind { INVALID_REQUEST, NOT_FOUND, SERVER }

    /** What the client is told. */
    public record Entry(int status, Kind kind, String message) {}

    private ErrorTable() {}

    /** The entry for {@code e}, logged as it deserves: a warning for the server's failures, nothing for a client's. */
    public static Entry of(Throwable e) {
        return switch (e) {
            case InvalidRequestException i -> invalid(i.getMessage());
            case ModelNotFoundException n -> new Entry(404, Kind.NOT_FOUND, n.getMessage());
            case NotFoundException n -> new Entry(404, Kind.NOT_FOUND, n.getMessage());
            case ModelUnusableException u -> server(500, "model cannot be served", u.getMessage());
            case StoreException s -> server(500, "model store failure", s.getMessage());
            case ServerBusyException b -> new Entry(503, Kind.SERVER, b.getMessage());
            case ShuttingDownException s -> new Entry(503, Kind.SERVER, s.getMessage());
            case InsufficientMemoryException m -> server(500, "load refused", m.getMessage());
            case UpstreamException u -> server(u.status(), "upstream failure", u.getMessage());
            case RequestCancelledException c -> new Entry(499, Kind.SERVER, c.getMessage());
            case EngineException en when en.kind() == EngineException.Kind.BAD_REQUEST -> invalid(en.getMessage());
            case EngineException en -> server(500, "engine failure", en.getMessage());
            case JsonProcessingException j -> invalid(ErrorMapper.describe(j));
            case WebApplicationException w when w.getCause() instanceof JsonProcessingException j ->
                    invalid(ErrorMapper.describe(j));
            case WebApplicationException w -> web(w.getResponse().getStatus(), w.getMessage());
            // Reading the body failed: the client closed the connection while sending it.
            case IOException io -> new Entry(499, Kind.SERVER, "request canceled");
            default -> {
                LOG.error("unexpected failure", e);
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                yield new Entry(500, Kind.SERVER, message);
            }
        };
    }

    private static Entry invalid(String message) {
        return new Entry(400, Kind.INVALID_REQUEST, message);
    }

    private static Entry server(int status, String what, String message) {
        LOG.warnf("%s: %s", what, message);
        return new Entry(status, status == 400 ? Kind.INVALID_REQUEST : Kind.SERVER, message);
    }

    /** A routing or protocol failure, with the texts Go's HTTP server gives them. */
    private static Entry web(int status, String message) {
        return switch (status) {
            case 404 -> new Entry(404, Kind.NOT_FOUND, "404 page not found");
            case 405 -> new Entry(405, Kind.INVALID_REQUEST, "405 method not allowed");
            case 415 -> new Entry(415, Kind.INVALID_REQUEST, "unsupported content type");
            default -> new Entry(status, status == 400 ? Kind.INVALID_REQUEST : Kind.SERVER, message);
        };
    }
}
