package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /api/copy}.
 *
 * @param source      the existing model
 * @param destination the new name
 */
@RegisterForReflection
public record CopyRequest(String source, String destination) {}
