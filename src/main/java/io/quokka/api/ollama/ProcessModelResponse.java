package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of {@code GET /api/ps}.
 *
 * @param name           short display name
 * @param model          the same name
 * @param size           bytes the loaded model occupies
 * @param digest         sha256 of the manifest, hex
 * @param details        format, family, size and quantization
 * @param expires_at     when keep-alive will unload it
 * @param size_vram      bytes in GPU memory: always 0, Quokka runs on the CPU
 * @param context_length the context the model was loaded with
 */
@RegisterForReflection
public record ProcessModelResponse(String name, String model, long size, String digest, ModelDetails details,
                                   String expires_at, long size_vram, int context_length) {}
