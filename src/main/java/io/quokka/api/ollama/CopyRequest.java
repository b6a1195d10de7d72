package io.quokka.api.ollama;

/**
 * Body of {@code POST /api/copy}.
 *
 * @param source      the existing model
 * @param destination the new name
 */
public record CopyRequest(String source, String destination) {}
