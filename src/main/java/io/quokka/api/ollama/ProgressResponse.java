package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One line of a pull's progress (Ollama's {@code api.ProgressResponse}); empty fields are left out, as Go's
 * {@code omitempty} does.
 *
 * @param status    what is happening: {@code pulling manifest}, {@code pulling <12 hex digits>},
 *                  {@code verifying sha256 digest}, {@code writing manifest}, {@code success}
 * @param digest    the blob being pulled, {@code sha256:<hex>}
 * @param total     its size in bytes
 * @param completed bytes of it present so far
 */
@JsonPropertyOrder({"status", "digest", "total", "completed"})
@RegisterForReflection
public record ProgressResponse(
        String status,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String digest,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long total,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long completed) {

    public static ProgressResponse of(String status) {
        return new ProgressResponse(status, null, 0, 0);
    }
}
