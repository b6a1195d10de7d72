package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Body of {@code GET /api/version}. @param version the Ollama API version this server speaks */
@RegisterForReflection
public record VersionResponse(String version) {}
