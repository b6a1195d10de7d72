package io.quokka.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quokka.api.ErrorTable;

/** OpenAI's error body, as Ollama sends it. @param error what went wrong */
@RegisterForReflection
public record ErrorResponse(Error error) {

    /**
     * @param message the same text Ollama's native endpoint would put in {@code {"error": ...}}
     * @param type    "invalid_request_error" (400), "not_found_error" (404) or "api_error" (anything else)
     * @param param   always null, as in Ollama
     * @param code    always null, as in Ollama
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @RegisterForReflection
    public record Error(String message, String type, String param, String code) {}

    static ErrorResponse of(ErrorTable.Entry entry) {
        String type = switch (entry.kind()) {
            case INVALID_REQUEST -> "invalid_request_error";
            case NOT_FOUND -> "not_found_error";
            case SERVER -> "api_error";
        };
        return new ErrorResponse(new Error(entry.message(), type, null, null));
    }

    static ErrorResponse of(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 404 -> "not_found_error";
            default -> "api_error";
        };
        return new ErrorResponse(new Error(message, type, null, null));
    }
}
