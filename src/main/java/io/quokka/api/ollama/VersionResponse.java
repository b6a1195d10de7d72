package io.quokka.api.ollama;

/** Body of {@code GET /api/version}. @param version the Ollama API version this server speaks */
public record VersionResponse(String version) {}
