package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One status line of {@code /api/create} and {@code /api/pull} (Ollama's {@code api.ProgressResponse}).
 *
 * @param status    what is happening, e.g. {@code writing manifest}, {@code success}
 * @param digest    the blob a transfer line is about; omitted when empty
 * @param total     its size in bytes; omitted when zero
 * @param completed bytes done so far; omitted when zero
 */
public record ProgressResponse(
        String status,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String digest,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long total,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long completed) {

    public static ProgressResponse of(String status) {
        return new ProgressResponse(status, null, 0, 0);
    }
}
