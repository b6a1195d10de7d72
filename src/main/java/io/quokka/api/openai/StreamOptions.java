package io.quokka.api.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** @param include_usage end the stream with a chunk carrying {@code usage} and no choices */
@RegisterForReflection
public record StreamOptions(Boolean include_usage) {

    static boolean includeUsage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.include_usage());
    }
}
