package io.quokka.api;

import io.quokka.fallback.upstream.UpstreamException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quokka.api.ollama.ErrorResponse;
import io.quokka.engine.EngineException;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.ModelUnusableException;
import io.quokka.generation.ShuttingDownException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import io.quokka.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become Ollama's {@code {"error": "..."}} bodies and status codes: 400 for bad
 * input, 404 for a missing model, 499 when the client left, 503 when the queue is full or the server is shutting
 * down, 500 otherwise (a load the memory guard refused included, as Ollama).
 */
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    public static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorResponse(message)).build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(ModelNotFoundException e) {
        return error(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response missing(io.quokka.models.NotFoundException e) {
        return error(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unusable(ModelUnusableException e) {
        LOG.warnf("model cannot be served: %s", e.getMessage());
        return error(500, e.getMessage());
    }

    /** The store could not be read or written (a read-only or full disk): Ollama's 500 with the error text. */
    @ServerExceptionMapper
    public Response store(StoreException e) {
        LOG.warnf("model store failure: %s", e.getMessage());
        return error(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response busy(ServerBusyException e) {
        return error(503, e.getMessage());
    }

    @ServerExceptionMapper
    public Response insufficientMemory(InsufficientMemoryException e) {
        LOG.warnf("load refused: %s", e.getMessage());
        return error(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response upstream(UpstreamException e) {
        LOG.warnf("upstream failure: %s", e.getMessage());
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response shuttingDown(ShuttingDownException e) {
        return error(503, e.getMessage());
    }

    @ServerExceptionMapper
    public Response cancelled(RequestCancelledException e) {
        return error(499, e.getMessage());
    }

    @ServerExceptionMapper
    public Response engine(EngineException e) {
        if (e.kind() == EngineException.Kind.BAD_REQUEST) return error(400, e.getMessage());
        LOG.warnf("engine failure: %s", e.getMessage());
        return error(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return error(400, describe(e));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) return error(400, describe(json));
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "404 page not found";
            case 405 -> "405 method not allowed";
            case 415 -> "unsupported content type";
            default -> e.getMessage();
        };
        return error(status, message);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return error(500, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** A Go-like description of a decoding failure: which field, which type. */
    public static String describe(JsonProcessingException e) {
        return describe(e, null);
    }

    /** As {@link #describe(JsonProcessingException)}, knowing the body (what it is when it is not an object). */
    public static String describe(JsonProcessingException e, byte[] body) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .collect(Collectors.joining("."));
            String type = mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null
                    ? " of type " + goTypeName(mismatch.getTargetType()) : "";
            return "json: cannot unmarshal value into field " + field + type;
        }
        if (e instanceof JsonMappingException mapping) {
            // The body itself is of the wrong kind (a number, an array, ...): Jackson's message names Java classes.
            String type = mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null
                    ? " into Go value of type " + goValueType(mismatch.getTargetType()) : "";
            return "json: cannot unmarshal " + kind(body) + type;
        }
        // A limit's message names where it is set ("..., from `StreamReadConstraints.getMaxNestingDepth()`").
        return "invalid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("").replaceAll(", from `[^`]*`", "");
    }

    /** Go's name for what a body holds when it is not an object, from its first character. */
    private static String kind(byte[] body) {
        if (body == null) return "value";
        for (byte b : body) {
            switch (b) {
                case ' ', '\t', '\r', '\n' -> { }
                case '[' -> { return "array"; }
                case '"' -> { return "string"; }
                case 't', 'f' -> { return "bool"; }
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> { return "number"; }
                default -> { return "value"; }
            }
        }
        return "value";
    }

    /** Ollama's name for a request type: {@code api.GenerateRequest}, {@code openai.ChatCompletionRequest}. */
    private static String goValueType(Class<?> type) {
        String pkg = type.getPackageName();
        return (pkg.endsWith(".openai") ? "openai." : "api.") + type.getSimpleName();
    }

    private static String goTypeName(Class<?> type) {
        if (type == String.class) return "string";
        if (type == Boolean.class || type == boolean.class) return "bool";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "int";
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) return "float";
        if (java.util.List.class.isAssignableFrom(type) || type.isArray()) return "array";
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) return "object";
        return type.getSimpleName();
    }
}
