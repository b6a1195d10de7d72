package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code DELETE /api/delete}.
 *
 * @param model the model to delete
 * @param name  deprecated spelling of {@code model}
 */
@RegisterForReflection
public record DeleteRequest(String model, String name) {}
