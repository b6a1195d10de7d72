package io.quokka.grammar;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An independent JSON-schema validator for the keywords Quokka supports (written from the JSON Schema 2020-12
 * validation spec, sharing no code with the converter), for asserting that constrained output validates.
 */
public final class SchemaValidator {
    private final JsonNode root;

    private SchemaValidator(JsonNode root) {
        this.root = root;
    }

    /** The violations of {@code schema} by {@code value}, empty when it validates. */
    public static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        new SchemaValidator(schema).check(schema, value, "$", errors);
        return errors;
    }

    private void check(JsonNode s, JsonNode v, String at, List<String> errors) {
        if (s.isBoolean()) {
            if (!s.booleanValue()) errors.add(at + ": schema false");
            return;
        }
        if (s.has("$ref")) {
            String ref = s.get("$ref").textValue();
            JsonNode target = ref.equals("#") ? root : root.at(JsonPointer.compile(ref.substring(1)));
            if (target.isMissingNode()) throw new IllegalArgumentException("unresolvable " + ref);
            check(target, v, at, errors);
        }
        if (s.has("type") && !typeMatches(s.get("type"), v)) errors.add(at + ": not of type " + s.get("type"));
        if (s.has("const") && !jsonEquals(s.get("const"), v)) errors.add(at + ": not the const");
        if (s.has("enum")) {
            boolean any = false;
            for (JsonNode e : s.get("enum")) any |= jsonEquals(e, v);
            if (!any) errors.add(at + ": not in enum");
        }
        if (s.has("allOf")) for (JsonNode sub : s.get("allOf")) check(sub, v, at, errors);
        if (s.has("anyOf")) {
            int ok = countValid(s.get("anyOf"), v, at);
            if (ok == 0) errors.add(at + ": matches no anyOf");
        }
        if (s.has("oneOf")) {
            int ok = countValid(s.get("oneOf"), v, at);
            if (ok != 1) errors.add(at + ": matches " + ok + " oneOf alternatives");
        }
        if (v.isTextual()) checkString(s, v.textValue(), at, errors);
        if (v.isNumber()) checkNumber(s, v.decimalValue(), at, errors);
        if (v.isArray()) checkArray(s, v, at, errors);
        if (v.isObject()) checkObject(s, v, at, errors);
    }

    private int countValid(JsonNode alternatives, JsonNode v, String at) {
        int ok = 0;
        for (JsonNode alt : alternatives) {
            List<String> sub = new ArrayList<>();
            check(alt, v, at, sub);
            if (sub.isEmpty()) ok++;
        }
        return ok;
    }

    private void checkString(JsonNode s, String text, String at, List<String> errors) {
        int length = text.codePointCount(0, text.length());
        if (s.has("minLength") && length < s.get("minLength").intValue()) errors.add(at + ": shorter than minLength");
        if (s.has("maxLength") && length > s.get("maxLength").intValue()) errors.add(at + ": longer than maxLength");
        if (s.has("pattern") && !Pattern.compile(s.get("pattern").textValue()).matcher(text).find()) {
            errors.add(at + ": does not match pattern " + s.get("pattern") + ": " + text);
        }
        if (s.has("format") && !formatValid(s.get("format").textValue(), text)) {
            errors.add(at + ": not a valid " + s.get("format") + ": " + text);
        }
    }

    private static boolean formatValid(String format, String text) {
        try {
            switch (format) {
                case "date" -> {
                    if (!text.matches("\\d{4}-\\d{2}-\\d{2}")) return false;
                    LocalDate.parse(text);
                }
                case "time" -> {
                    if (!text.matches("\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})")) return false;
                    OffsetTime.parse(text);
                }
                case "date-time" -> {
                    if (!text.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})")) {
                        return false;
                    }
                    OffsetDateTime.parse(text);
                }
                case "uuid" -> {
                    if (!text.matches("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")) return false;
                    UUID.fromString(text);
                }
                case "email" -> {
                    return text.matches("[A-Za-z0-9_%+-]+(\\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9-]+\\.)+[A-Za-z]{2,}");
                }
                case "ipv4" -> {
                    String[] parts = text.split("\\.", -1);
                    if (parts.length != 4) return false;
                    for (String p : parts) {
                        if (!p.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(p) > 255) return false;
                    }
                }
                default -> {
                    return true; // an annotation
                }
            }
            return true;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void checkNumber(JsonNode s, BigDecimal n, String at, List<String> errors) {
        if (s.has("minimum") && n.compareTo(s.get("minimum").decimalValue()) < 0) errors.add(at + ": below minimum");
        if (s.has("maximum") && n.compareTo(s.get("maximum").decimalValue()) > 0) errors.add(at + ": above maximum");
        if (s.has("exclusiveMinimum") && s.get("exclusiveMinimum").isNumber()
                && n.compareTo(s.get("exclusiveMinimum").decimalValue()) <= 0) {
            errors.add(at + ": not above exclusiveMinimum");
        }
        if (s.has("exclusiveMaximum") && s.get("exclusiveMaximum").isNumber()
                && n.compareTo(s.get("exclusiveMaximum").decimalValue()) >= 0) {
            errors.add(at + ": not below exclusiveMaximum");
        }
        if (s.has("multipleOf")
                && n.remainder(s.get("multipleOf").decimalValue()).compareTo(BigDecimal.ZERO) != 0) {
            errors.add(at + ": not a multiple");
        }
    }

    private void checkArray(JsonNode s, JsonNode v, String at, List<String> errors) {
        if (s.has("minItems") && v.size() < s.get("minItems").intValue()) errors.add(at + ": fewer than minItems");
        if (s.has("maxItems") && v.size() > s.get("maxItems").intValue()) errors.add(at + ": more than maxItems");
        int prefix = 0;
        if (s.has("prefixItems")) {
            JsonNode p = s.get("prefixItems");
            for (; prefix < p.size() && prefix < v.size(); prefix++) check(p.get(prefix), v.get(prefix), at + "[" + prefix + "]", errors);
            prefix = p.size();
        }
        if (s.has("items")) {
            for (int i = prefix; i < v.size(); i++) check(s.get("items"), v.get(i), at + "[" + i + "]", errors);
        }
        if (s.has("uniqueItems") && s.get("uniqueItems").asBoolean()) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode e : v) if (!seen.add(e)) errors.add(at + ": duplicate items");
        }
    }

    private void checkObject(JsonNode s, JsonNode v, String at, List<String> errors) {
        JsonNode props = s.get("properties");
        if (s.has("required")) {
            for (JsonNode r : s.get("required")) {
                if (!v.has(r.textValue())) errors.add(at + ": missing required " + r.textValue());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = at + "." + e.getKey();
            if (props != null && props.has(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), where, errors);
            } else if (s.has("additionalProperties")) {
                check(s.get("additionalProperties"), e.getValue(), where, errors);
            }
        }
        if (s.has("minProperties") && v.size() < s.get("minProperties").intValue()) errors.add(at + ": too few properties");
        if (s.has("maxProperties") && v.size() > s.get("maxProperties").intValue()) errors.add(at + ": too many properties");
    }

    private static boolean typeMatches(JsonNode type, JsonNode v) {
        if (type.isArray()) {
            for (JsonNode t : type) if (typeMatches(t, v)) return true;
            return false;
        }
        return switch (type.textValue()) {
            case "null" -> v.isNull();
            case "boolean" -> v.isBoolean();
            case "string" -> v.isTextual();
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "number" -> v.isNumber();
            case "integer" -> v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0;
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    /** JSON equality: numbers by value (1 equals 1.0), everything else structurally. */
    private static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) if (!jsonEquals(a.get(i), b.get(i))) return false;
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) return false;
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!b.has(k) || !jsonEquals(a.get(k), b.get(k))) return false;
            }
            return true;
        }
        return a.equals(b);
    }
}
