package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of {@code GET /api/tags}.
 *
 * @param name        short display name, e.g. "llama3.2:latest"
 * @param model       the same name
 * @param modified_at when the manifest was written
 * @param size        total bytes of the model's layers
 * @param digest      sha256 of the manifest, hex
 * @param details     format, family, size and quantization
 */
@RegisterForReflection
public record ListModelResponse(String name, String model, String modified_at, long size, String digest,
                                ModelDetails details) {}
