package io.quokka.models;

import io.quokka.store.ModelMessage;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /api/create} asks for, already decoded (the wire fields Quokka refuses, such as adapters or
 * quantize, never get here).
 *
 * @param name       the model to create
 * @param from       an existing model to build on; null or empty when {@code files} is used
 * @param files      file name → digest of uploaded blobs; null when {@code from} is used
 * @param template   Go template replacing the base's; null or empty to keep it
 * @param system     system prompt replacing the base's; null or empty to keep it
 * @param parameters default options, merged over the base's (these win)
 * @param licenses   license texts, appended
 * @param messages   seed conversation replacing the base's; empty to keep it
 * @param renderer   built-in renderer name for the config; null or empty to inherit
 * @param parser     built-in parser name for the config; null or empty to inherit
 * @param requires   minimum Ollama version for the config; null or empty to inherit
 */
public record CreateCommand(String name, String from, Map<String, String> files, String template, String system,
        Map<String, Object> parameters, List<String> licenses, List<ModelMessage> messages, String renderer,
        String parser, String requires) {

    public CreateCommand {
        parameters = parameters == null ? Map.of() : parameters;
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        messages = messages == null ? List.of() : List.copyOf(messages);
    }
}
