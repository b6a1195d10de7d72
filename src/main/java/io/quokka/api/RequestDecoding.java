package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quokka.generation.InvalidRequestException;
import io.quokka.grammar.InvalidSchemaException;
import io.quokka.grammar.JsonSchemaGrammar;
import io.quokka.scheduler.KeepAlive;
import java.util.List;

/** Decoding of the polymorphic wire fields ({@code keep_alive}, {@code format}) shared by every endpoint. */
final class RequestDecoding {
    private RequestDecoding() {}

    /** {@code keep_alive}: null when absent (the server default applies), seconds as a number, or a Go duration. */
    static KeepAlive keepAlive(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isNumber()) return KeepAlive.ofSeconds(node.asDouble());
        if (node.isTextual()) {
            try {
                return KeepAlive.ofDurationString(node.asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        }
        throw new InvalidRequestException("Unsupported type: '" + node.getNodeType().toString().toLowerCase() + "'");
    }

    /**
     * {@code format}: null, "json", or a JSON schema object (returned as its JSON text), which must convert to a
     * grammar: a schema that cannot is a 400 "invalid JSON schema in format: ...".
     */
    static String format(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isTextual()) {
            String s = node.asText();
            if (s.isEmpty()) return null;
            if (s.equals("json")) return "json";
            throw new InvalidRequestException("invalid format: expected \"json\" or a JSON schema");
        }
        if (node.isObject()) {
            try {
                JsonSchemaGrammar.fromSchema(node); // refused here, before any model loads
            } catch (InvalidSchemaException e) {
                throw new InvalidRequestException(JsonSchemaGrammar.INVALID_SCHEMA + ": " + e.getMessage());
            }
            return node.toString();
        }
        throw new InvalidRequestException("invalid format: expected \"json\" or a JSON schema");
    }

    static int[] context(List<Integer> context) {
        if (context == null) return new int[0];
        int[] out = new int[context.size()];
        for (int i = 0; i < out.length; i++) {
            Integer t = context.get(i);
            if (t == null) throw new InvalidRequestException("context must contain only integers");
            out[i] = t;
        }
        return out;
    }

    static boolean streaming(Boolean stream) {
        return stream == null || stream;
    }
}
