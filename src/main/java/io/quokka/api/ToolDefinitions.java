package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.generation.InvalidRequestException;
import io.quokka.template.Think;
import io.quokka.template.Tool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tools} and {@code think} request fields, decoded as Ollama's Go types decode them ({@code api.Tool},
 * {@code api.ThinkValue}): a field of the wrong JSON type is a 400; unknown fields are ignored; property order is
 * kept (templates print it). Shared by {@code /api/chat} and {@code /v1/chat/completions}.
 */
public final class ToolDefinitions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String THINK_VALUES = "(\"high\", \"medium\", \"low\", \"max\", true, or false)";

    private ToolDefinitions() {}

    /** The tools of a request; empty when absent or null. */
    public static List<Tool> tools(List<JsonNode> nodes) {
        if (nodes == null) return List.of();
        List<Tool> tools = new ArrayList<>(nodes.size());
        for (JsonNode n : nodes) {
            if (n == null || n.isNull()) {
                tools.add(Tool.function("", "", null));
                continue;
            }
            object(n, "tools", "api.Tool");
            JsonNode f = n.get("function");
            Tool.Function function = null;
            if (f != null && !f.isNull()) {
                object(f, "tools.function", "api.ToolFunction");
                function = new Tool.Function(string(f.get("name"), "function.name"),
                        string(f.get("description"), "function.description"), parameters(f.get("parameters")));
            }
            tools.add(new Tool(string(n.get("type"), "type"), value(n.get("items")), function));
        }
        return tools;
    }

    /**
     * {@code think}: absent or null is unset; true or false; "high", "medium", "low" or "max". Anything else is
     * Ollama's 400.
     */
    public static Think think(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return Think.UNSET;
        if (node.isBoolean()) return Think.of(node.asBoolean());
        if (node.isTextual()) {
            String s = node.asText();
            if (!s.equals("high") && !s.equals("medium") && !s.equals("low") && !s.equals("max")) {
                throw new InvalidRequestException("invalid think value: \"" + s + "\" (must be \"high\", \"medium\", "
                        + "\"low\", \"max\", true, or false)");
            }
            return Think.of(s);
        }
        throw new InvalidRequestException("think must be a boolean or string " + THINK_VALUES);
    }

    private static Tool.Parameters parameters(JsonNode p) {
        if (p == null || p.isNull()) return null;
        object(p, "function.parameters", "api.ToolFunctionParameters");
        return new Tool.Parameters(string(p.get("type"), "parameters.type"), value(p.get("$defs")),
                value(p.get("items")), strings(p.get("required"), "parameters.required"),
                properties(p.get("properties"), "parameters.properties"));
    }

    private static Map<String, Tool.Property> properties(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        object(node, field, "api.ToolPropertiesMap");
        Map<String, Tool.Property> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), property(e.getValue(), field + "." + e.getKey())));
        return out;
    }

    private static Tool.Property property(JsonNode p, String field) {
        if (p == null || p.isNull()) return new Tool.Property(null, null, null, null, null, null, null);
        object(p, field, "api.ToolProperty");
        List<Tool.Property> anyOf = null;
        JsonNode a = p.get("anyOf");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) throw wrongType(field + ".anyOf", a, "[]api.ToolProperty");
            anyOf = new ArrayList<>();
            for (JsonNode x : a) anyOf.add(property(x, field + ".anyOf"));
        }
        List<String> type = null;
        JsonNode t = p.get("type");
        if (t != null && !t.isNull()) type = t.isTextual() ? List.of(t.asText()) : strings(t, field + ".type");
        List<Object> enumValues = null;
        JsonNode e = p.get("enum");
        if (e != null && !e.isNull()) {
            if (!e.isArray()) throw wrongType(field + ".enum", e, "[]interface {}");
            enumValues = new ArrayList<>();
            for (JsonNode x : e) enumValues.add(value(x));
        }
        return new Tool.Property(anyOf, type, value(p.get("items")), string(p.get("description"), field + ".description"),
                enumValues, properties(p.get("properties"), field + ".properties"),
                strings(p.get("required"), field + ".required"));
    }

    private static void object(JsonNode n, String field, String goType) {
        if (!n.isObject()) throw wrongType(field, n, goType);
    }

    private static String string(JsonNode n, String field) {
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw wrongType(field, n, "string");
        return n.asText();
    }

    private static List<String> strings(JsonNode n, String field) {
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw wrongType(field, n, "[]string");
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            if (!x.isTextual()) throw wrongType(field, x, "string");
            out.add(x.asText());
        }
        return out;
    }

    private static Object value(JsonNode n) {
        return n == null || n.isNull() ? null : JSON.convertValue(n, Object.class);
    }

    private static InvalidRequestException wrongType(String field, JsonNode n, String goType) {
        String kind = n.isNumber() ? "number" : n.isBoolean() ? "bool" : n.isTextual() ? "string"
                : n.isArray() ? "array" : "object";
        return new InvalidRequestException("json: cannot unmarshal " + kind + " into Go struct field " + field
                + " of type " + goType);
    }
}
