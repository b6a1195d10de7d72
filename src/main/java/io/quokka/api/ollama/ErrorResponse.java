package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Ollama's error body. @param error what went wrong */
@RegisterForReflection
public record ErrorResponse(String error) {}
