package io.quokka.fallback.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.engine.TokenListener;
import io.quokka.generation.GenerationCommand;

/** One upstream API's wire format: the request for a command, and what each streamed line means. */
sealed interface Protocol permits OllamaProtocol, OpenAiProtocol {

    /** The path under the base URL a command goes to. */
    String path(GenerationCommand command);

    /** The streamed request's body for {@code command}, asking the upstream for {@code model}. */
    ObjectNode body(GenerationCommand command, String model, ObjectMapper json);

    /** Handles one line of the response: text goes to {@code listener}, counts and the end to {@code tally}. */
    void line(String line, TokenListener listener, Tally tally, ObjectMapper json) throws Exception;

    static Protocol of(Upstream.Api api) {
        return switch (api) {
            case OLLAMA -> new OllamaProtocol();
            case OPENAI -> new OpenAiProtocol();
        };
    }

    /** The message of an error body in either API's shape ({@code {"error":"..."}}, {@code {"error":{"message"}}}). */
    static String errorMessage(String body, ObjectMapper json) {
        try {
            JsonNode error = json.readTree(body).path("error");
            if (error.isTextual()) return error.asText();
            if (error.path("message").isTextual()) return error.path("message").asText();
        } catch (Exception ignored) {
            // Not JSON: the text itself, shortened.
        }
        String text = body.strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** A format ("json" or a JSON schema's text) as the JSON value both APIs expect. */
    static JsonNode format(String format, ObjectMapper json) {
        if (format == null) return null;
        if (format.equals("json")) return json.getNodeFactory().textNode("json");
        try {
            return json.readTree(format);
        } catch (Exception e) {
            return json.getNodeFactory().textNode(format);
        }
    }
}
