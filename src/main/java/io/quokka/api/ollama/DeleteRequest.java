package io.quokka.api.ollama;

/**
 * Body of {@code DELETE /api/delete}.
 *
 * @param model the model to delete
 * @param name  deprecated spelling of {@code model}
 */
public record DeleteRequest(String model, String name) {}
