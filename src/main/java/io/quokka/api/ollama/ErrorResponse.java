package io.quokka.api.ollama;

/** Ollama's error body. @param error what went wrong */
public record ErrorResponse(String error) {}
