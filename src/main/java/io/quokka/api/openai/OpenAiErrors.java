package io.quokka.api.openai;

import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.scheduler.memory.InsufficientMemoryException;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quokka.engine.EngineException;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.ModelUnusableException;
import io.quokka.generation.ShuttingDownException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * Failures as OpenAI's {@code {"error": {"message", "type", "param", "code"}}}, with the status and message the
 * native endpoint would give (Ollama's middleware rewrites the native error the same way): 400
 * {@code invalid_request_error}, 404 {@code not_found_error}, anything else {@code api_error} (503 when the queue is
 * full or the server is shutting down).
 */
public final class OpenAiErrors {
    private static final Logger LOG = Logger.getLogger(OpenAiErrors.class);

    private OpenAiErrors() {}

    public static Response response(int status, String message) {
        return response(status, ErrorResponse.of(status, message));
    }

    private static Response response(int status, ErrorResponse body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /** The status and body for any failure of a {@code /v1} request. */
    public static Response of(Throwable e) {
        return switch (e) {
            case OpenAiRequestException o -> response(400, new ErrorResponse(
                    new ErrorResponse.Error(o.getMessage(), "invalid_request_error", o.param(), null)));
            case InvalidRequestException i -> response(400, i.getMessage());
            case ModelNotFoundException n -> response(404, n.getMessage());
            case ModelUnusableException u -> {
                LOG.warnf("model cannot be served: %s", u.getMessage());
                yield response(500, u.getMessage());
            }
            case ServerBusyException b -> response(503, b.getMessage());
            case ShuttingDownException s -> response(503, s.getMessage()); // a graceful shutdown's drain
            case InsufficientMemoryException m -> {
                LOG.warnf("load refused: %s", m.getMessage());
                yield response(500, m.getMessage());
            }
            case UpstreamException u -> {
                LOG.warnf("upstream failure: %s", u.getMessage());
                yield response(u.status(), u.getMessage());
            }
            case RequestCancelledException c -> response(499, c.getMessage());
            case EngineException en when en.kind() == EngineException.Kind.BAD_REQUEST -> response(400, en.getMessage());
            case EngineException en -> {
                LOG.warnf("engine failure: %s", en.getMessage());
                yield response(500, en.getMessage());
            }
            case JsonProcessingException j -> response(400, io.quokka.api.ErrorMapper.describe(j));
            case WebApplicationException w -> response(w.getResponse().getStatus(), switch (w.getResponse().getStatus()) {
                case 404 -> "404 page not found";
                case 405 -> "405 method not allowed";
                default -> w.getMessage();
            });
            default -> {
                LOG.error("unexpected failure", e);
                yield response(500, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        };
    }
}
