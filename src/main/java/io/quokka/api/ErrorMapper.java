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
import io.quokka.models.NotFoundException;
import io.quokka.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Failures of the native endpoints as Ollama's {@code {"error": "..."}} bodies, with the status {@link ErrorTable}
 * gives them; and Go-like descriptions of JSON decoding failures.
 */
public class ErrorMapper {
    public static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorResponse(message)).build();
    }

    /** Every failure of a native endpoint, as {@link ErrorTable} says, in Ollama's shape. */
    @ServerExceptionMapper({InvalidRequestException.class, ModelNotFoundException.class, NotFoundException.class,
            ModelUnusableException.class, StoreException.class, ServerBusyException.class,
            InsufficientMemoryException.class, UpstreamException.class, ShuttingDownException.class,
            RequestCancelledException.class, EngineException.class, JsonProcessingException.class,
            WebApplicationException.class, IOException.class, RuntimeException.class})
    public Response map(Exception e) {
        ErrorTable.Entry entry = ErrorTable.of(e);
        return error(entry.status(), entry.message());
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
