package io.quokka.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Structured outputs: GBNF grammars (llama.cpp's constrained-decoding format) that make a model's output a JSON
 * document — any JSON object for {@code format: "json"}, or one that validates against a JSON schema for
 * {@code format: {schema}}. The supported keywords are listed in {@code docs/structured-output.md}; a schema that
 * is malformed, unsatisfiable, or uses a keyword whose constraint cannot be enforced is refused with an
 * {@link InvalidSchemaException} rather than answered with output that might not validate.
 *
 * <p>Grammars are deterministic (same schema, same text) and end exactly where the JSON value ends, so a grammar
 * that is complete allows only an end-of-generation token. Whitespace is bounded at every position.
 */
public final class JsonSchemaGrammar {
    private JsonSchemaGrammar() {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** How Ollama begins the error for a schema it cannot use; clients match on it. */
    public static final String INVALID_SCHEMA = "invalid JSON schema in format";

    /** The grammar for {@code format: "json"}: any JSON object, like Ollama's. */
    public static String anyJson() {
        return SchemaConverter.anyObject();
    }

    /**
     * The grammar for a JSON schema.
     *
     * @throws InvalidSchemaException if the schema is malformed, unsatisfiable or unsupported
     */
    public static String fromSchema(JsonNode schema) {
        return new SchemaConverter(schema).convert();
    }

    /**
     * The grammar for a request's {@code format}: null for none, {@link #anyJson()} for {@code "json"}, otherwise
     * the JSON schema's text.
     *
     * @throws InvalidSchemaException if the text is not JSON or not a supported schema
     */
    public static String forFormat(String format) {
        if (format == null) return null;
        if (format.equals("json")) return anyJson();
        JsonNode schema;
        try {
            schema = MAPPER.readTree(format);
        } catch (JsonProcessingException e) {
            throw new InvalidSchemaException("not JSON: " + e.getOriginalMessage());
        }
        return fromSchema(schema);
    }
}
