package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * Facts about a model, as {@code /api/tags}, {@code /api/show} and {@code /api/ps} report them.
 *
 * @param parent_model       the model this one was created from, usually empty
 * @param format             file format, "gguf"
 * @param family             architecture family, e.g. "llama"
 * @param families           all families, e.g. ["llama"]
 * @param parameter_size     parameter count, human-readable, e.g. "8.0B"
 * @param quantization_level file type, e.g. "Q4_0"
 */
@RegisterForReflection
public record ModelDetails(
        String parent_model,
        String format,
        String family,
        List<String> families,
        String parameter_size,
        String quantization_level) {}
