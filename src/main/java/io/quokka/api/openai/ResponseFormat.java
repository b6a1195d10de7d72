package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code response_format}.
 *
 * @param type        "text" (no constraint), "json_object" (Ollama's {@code format: "json"}) or "json_schema"
 * @param json_schema for "json_schema": {@code {"name": ..., "schema": {...}}}; the schema becomes Ollama's
 *                    {@code format}
 */
@RegisterForReflection
public record ResponseFormat(String type, JsonSchema json_schema) {

    /** @param name the schema's name (ignored) @param schema the JSON schema @param strict ignored */
    @RegisterForReflection
    public record JsonSchema(String name, JsonNode schema, Boolean strict) {}
}
