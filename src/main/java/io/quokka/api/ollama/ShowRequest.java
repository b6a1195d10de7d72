package io.quokka.api.ollama;

/**
 * Body of {@code POST /api/show}.
 *
 * @param model   model name
 * @param name    deprecated spelling of {@code model}
 * @param verbose include large arrays (the vocabulary) in {@code model_info}
 */
public record ShowRequest(String model, String name, Boolean verbose) {}
