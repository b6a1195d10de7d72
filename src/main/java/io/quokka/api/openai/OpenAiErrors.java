package io.quokka.api.openai;

import io.quokka.api.ErrorTable;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Failures as OpenAI's {@code {"error": {"message", "type", "param", "code"}}}, with the status and message the
 * native endpoint would give (Ollama's middleware rewrites the native error the same way): 400
 * {@code invalid_request_error}, 404 {@code not_found_error}, anything else {@code api_error} (503 when the queue is
 * full or the server is shutting down).
 */
public final class OpenAiErrors {
    private OpenAiErrors() {}

    public static Response response(int status, String message) {
        return response(status, ErrorResponse.of(status, message));
    }

    private static Response response(int status, ErrorResponse body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /** The status and body for any failure of a {@code /v1} request: {@link ErrorTable}'s, in OpenAI's shape. */
    public static Response of(Throwable e) {
        if (e instanceof OpenAiRequestException o) {
            return response(400, new ErrorResponse(
                    new ErrorResponse.Error(o.getMessage(), "invalid_request_error", o.param(), null)));
        }
        ErrorTable.Entry entry = ErrorTable.of(e);
        return response(entry.status(), ErrorResponse.of(entry));
    }
}
