package io.quokka.store;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link StoreWriter#create(ModelName, ModelSpec)} lays out, one field per layer kind of {@code ollama create}.
 *
 * @param gguf     the GGUF weights file (copied into the store unless already there)
 * @param template Go template text; absent or empty for none
 * @param system   default system prompt; absent or empty for none
 * @param licenses license texts, one layer each; empty texts are skipped
 * @param params   default options, e.g. {@code stop} and {@code temperature}; empty for no params layer
 * @param messages seed conversation; empty for no messages layer
 * @param config   config blob contents; empty format/OS/architecture are filled as Ollama does
 */
public record ModelSpec(
        Path gguf,
        Optional<String> template,
        Optional<String> system,
        List<String> licenses,
        Map<String, Object> params,
        List<ModelMessage> messages,
        ModelConfig config) {

    public ModelSpec {
        Objects.requireNonNull(gguf, "gguf");
        template = Objects.requireNonNullElse(template, Optional.empty());
        system = Objects.requireNonNullElse(system, Optional.empty());
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        // Not Map.copyOf, which rejects null values (JSON null); key order is irrelevant as Go sorts keys.
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        messages = messages == null ? List.of() : List.copyOf(messages);
        Objects.requireNonNull(config, "config");
    }
}
