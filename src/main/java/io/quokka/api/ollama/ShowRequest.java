package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /api/show}.
 *
 * @param model   model name
 * @param name    deprecated spelling of {@code model}
 * @param verbose include large arrays (the vocabulary) in {@code model_info}
 */
@RegisterForReflection
public record ShowRequest(String model, String name, Boolean verbose) {}
