package io.quokka.grammar;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One conversion of a JSON schema to GBNF. Each {@code visit} returns a GBNF expression; object, array and
 * {@code $ref} schemas become named rules. Conventions of the generated grammar: a value never ends with
 * whitespace (so the root ends exactly where the document does), whitespace ({@code ws}, bounded) may follow
 * {@code {}, {@code [}, {@code :}, {@code ,} and each member or element.
 *
 * <p>Where JSON Schema leaves freedom the grammar picks a stricter subset, which still validates: properties come in
 * the schema's order with the required ones first (as llama.cpp orders them), properties not declared in
 * {@code properties} are never produced, unanchored patterns produce whole matches, and numbers with bounds are
 * written without exponents.
 */
final class SchemaConverter {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_GRAMMAR_CHARS = 1 << 20;
    /** Longest string a {@code maxLength} lets the grammar produce: llama.cpp expands {@code {m,n}} into n rules. */
    static final int MAX_STRING_LENGTH = 2000;

    private static final Set<String> UNSUPPORTED = Set.of("not", "if", "then", "else", "contains", "minContains",
            "maxContains", "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas",
            "dependencies", "unevaluatedItems", "$dynamicRef", "$recursiveRef");
    /** Keywords that say nothing about validity (or that a stricter output always satisfies). */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$anchor", "$comment", "$vocabulary",
            "$defs", "definitions", "$dynamicAnchor", "$recursiveAnchor", "title", "description", "default",
            "examples", "example", "deprecated", "readOnly", "writeOnly", "nullable", "contentEncoding",
            "contentMediaType", "contentSchema", "unevaluatedProperties", "discriminator", "xml", "externalDocs",
            "propertyOrdering");
    private static final Set<String> TYPES = Set.of("null", "boolean", "object", "array", "number", "integer",
            "string");
    private static final Set<String> OBJECT_KEYWORDS = Set.of("properties", "required", "additionalProperties",
            "minProperties", "maxProperties");
    private static final Set<String> ARRAY_KEYWORDS = Set.of("items", "prefixItems", "additionalItems", "minItems",
            "maxItems", "uniqueItems");
    private static final Set<String> STRING_KEYWORDS = Set.of("minLength", "maxLength", "pattern");
    private static final Set<String> NUMBER_KEYWORDS = Set.of("minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf");

    /** Built-in rules, in the order they are written out, with the rules each one uses. */
    private static final Map<String, String> BUILTINS = new LinkedHashMap<>();
    private static final Map<String, List<String>> DEPENDS = new HashMap<>();

    static {
        builtin("ws", "| \" \" | \"\\n\" [ \\t]{0,20}");
        builtin("value", "object | array | string | number | boolean | null",
                "object", "array", "string", "number", "boolean", "null");
        builtin("object", "\"{\" ws ( string ws \":\" ws value ws ( \",\" ws string ws \":\" ws value ws )* )? \"}\"",
                "ws", "string", "value");
        builtin("array", "\"[\" ws ( value ws ( \",\" ws value ws )* )? \"]\"", "ws", "value");
        builtin("string", "\"\\\"\" char* \"\\\"\"", "char");
        // One character of a JSON string's text: raw, or one escape; \\u escapes of surrogates are left out so that
        // one repetition is always one code point (what minLength and maxLength count).
        builtin("char", "[^\"\\\\\\x7F\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-CefEF] [0-9a-fA-F]{3}"
                + " | [dD] [0-7] [0-9a-fA-F]{2} ) )");
        builtin("number", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,15} )? ( [eE] [-+]? [0-9]{1,2} )?");
        builtin("integer", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )");
        builtin("boolean", "\"true\" | \"false\"");
        builtin("null", "\"null\"");
        builtin("date", "[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )"
                + " | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" )"
                + " | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )");
        // Offsets up to ±17:59 (RFC 3339 allows up to 23:59, but java.time and others stop at 18:00).
        builtin("time", "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,9} )?"
                + " ( \"Z\" | [+-] ( \"0\" [0-9] | \"1\" [0-7] ) \":\" [0-5] [0-9] )");
        builtin("date-string", "\"\\\"\" date \"\\\"\"", "date");
        builtin("time-string", "\"\\\"\" time \"\\\"\"", "time");
        builtin("date-time-string", "\"\\\"\" date \"T\" time \"\\\"\"", "date", "time");
        builtin("uuid-string", "\"\\\"\" [0-9a-f]{8} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\""
                + " [0-9a-f]{12} \"\\\"\"");
        builtin("email-string", "\"\\\"\" [a-zA-Z0-9_%+-]{1,32} ( \".\" [a-zA-Z0-9_%+-]{1,32} ){0,3} \"@\""
                + " ( [a-z0-9] [a-z0-9-]{0,20} \".\" ){1,3} [a-z]{2,12} \"\\\"\"");
        String octet = Digits.range(0, 255);
        builtin("ipv4-string", "\"\\\"\" " + octet + " ( \".\" " + octet + " ){3} \"\\\"\"");
    }

    private static void builtin(String name, String body, String... deps) {
        BUILTINS.put(name, body);
        DEPENDS.put(name, List.of(deps));
    }

    /** Formats with a grammar; other formats are annotations (as JSON Schema 2020-12 has them by default). */
    private static final Map<String, String> FORMATS = Map.of("date", "date-string", "time", "time-string",
            "date-time", "date-time-string", "uuid", "uuid-string", "email", "email-string", "ipv4", "ipv4-string");

    private final JsonNode root;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Set<String> usedBuiltins = new LinkedHashSet<>();
    /** $ref → its rule name. */
    private final Map<String, String> refRules = new HashMap<>();
    /** $refs being converted → the structure depth when their conversion started (to spot left recursion). */
    private final Map<String, Integer> openRefs = new HashMap<>();
    private int structureDepth;

    SchemaConverter(JsonNode root) {
        this.root = root;
    }

    static String anyObject() {
        SchemaConverter c = new SchemaConverter(null);
        c.rules.put("root", c.use("object"));
        return c.write();
    }

    String convert() {
        if (root == null || !(root.isObject() || root.isBoolean())) {
            throw new InvalidSchemaException("a schema must be a JSON object");
        }
        rules.put("root", "");
        // An empty schema at the top means "a JSON object", as in llama.cpp (and as format "json" does).
        String body = root.isObject() && root.isEmpty() ? use("object") : visit(root, "root", "#", 0);
        rules.put("root", body);
        String grammar = write();
        if (grammar.length() > MAX_GRAMMAR_CHARS) throw new InvalidSchemaException("schema too large for a grammar");
        return grammar;
    }

    private String write() {
        // Builtins and everything they use, in a fixed order.
        Set<String> needed = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(usedBuiltins);
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (needed.add(name)) todo.addAll(DEPENDS.get(name));
        }
        StringBuilder out = new StringBuilder();
        rules.forEach((name, body) -> out.append(name).append(" ::= ").append(body).append('\n'));
        for (String name : BUILTINS.keySet()) {
            if (needed.contains(name)) out.append(name).append(" ::= ").append(BUILTINS.get(name)).append('\n');
        }
        return out.toString();
    }

    private String use(String builtin) {
        usedBuiltins.add(builtin);
        return builtin;
    }

    /** Adds a rule named after {@code hint} (made unique) and returns its name. */
    private String rule(String hint, String body) {
        String base = hint.replaceAll("[^a-zA-Z0-9-]+", "-");
        if (base.length() > 60) base = base.substring(0, 60);
        if (base.isEmpty() || base.equals("-")) base = "r";
        String name = base;
        for (int i = 1; BUILTINS.containsKey(name) || rules.containsKey(name) && !body.equals(rules.get(name)); i++) {
            name = base + "-" + i;
        }
        rules.put(name, body);
        return name;
    }

    /** The schema's expression as a single rule name (a new rule unless it already is one). */
    private String ruleFor(JsonNode schema, String name, String path, int depth) {
        String expr = visit(schema, name, path, depth);
        return expr.matches("[a-zA-Z0-9-]+") ? expr : rule(name, expr);
    }

    private String visit(JsonNode s, String name, String path, int depth) {
        if (depth > MAX_DEPTH) throw error(path, "schema nested too deeply");
        if (s.isBoolean()) {
            if (s.booleanValue()) return use("value");
            throw error(path, "schema false allows no value");
        }
        if (!s.isObject()) throw error(path, "a schema must be an object or a boolean");
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (UNSUPPORTED.contains(keyword)) throw error(path, "keyword \"" + keyword + "\" is not supported");
        }
        if (s.has("$ref")) {
            if (hasConstraints(s, Set.of("$ref"))) {
                return visit(allOf(List.of(refOnly(s), without(s, "$ref")), path, depth), name, path, depth + 1);
            }
            return ref(text(s, "$ref", path), path, depth);
        }
        if (s.has("allOf")) {
            List<JsonNode> parts = new ArrayList<>(list(s, "allOf", path));
            parts.add(without(s, "allOf"));
            return visit(allOf(parts, path + "/allOf", depth), name, path, depth + 1);
        }
        if (s.has("anyOf") || s.has("oneOf")) {
            if (s.has("anyOf") && s.has("oneOf")) throw error(path, "anyOf together with oneOf is not supported");
            String key = s.has("anyOf") ? "anyOf" : "oneOf";
            JsonNode siblings = without(s, key);
            boolean constrained = hasConstraints(siblings, Set.of());
            List<String> alternatives = new ArrayList<>();
            List<JsonNode> options = list(s, key, path);
            for (int i = 0; i < options.size(); i++) {
                JsonNode option = options.get(i);
                String optionPath = path + "/" + key + "/" + i;
                if (constrained) option = allOf(List.of(siblings, option), optionPath, depth);
                String alt = ruleFor(option, name + "-" + i, optionPath, depth + 1);
                if (!alternatives.contains(alt)) alternatives.add(alt);
            }
            return alternatives.size() == 1 ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
        }
        Set<String> types = types(s, path);
        if (s.has("const")) {
            JsonNode value = s.get("const");
            if (!types.isEmpty() && !matchesType(value, types)) throw error(path, "const does not match type");
            return Gbnf.literal(value.toString());
        }
        if (s.has("enum")) {
            JsonNode values = s.get("enum");
            if (!values.isArray() || values.isEmpty()) throw error(path, "enum must be a non-empty array");
            List<String> literals = new ArrayList<>();
            for (JsonNode v : values) {
                String literal = Gbnf.literal(v.toString());
                if ((types.isEmpty() || matchesType(v, types)) && !literals.contains(literal)) literals.add(literal);
            }
            if (literals.isEmpty()) throw error(path, "no enum value matches type");
            return literals.size() == 1 ? literals.getFirst() : "( " + String.join(" | ", literals) + " )";
        }
        if (types.isEmpty()) return use("value");
        List<String> alternatives = new ArrayList<>();
        for (String type : types) {
            String alt = visitType(s, type, types.size() == 1 ? name : name + "-" + type, path, depth);
            if (types.size() > 1 && !alt.matches("[a-zA-Z0-9-]+")) alt = rule(name + "-" + type, alt);
            alternatives.add(alt);
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
    }

    private String visitType(JsonNode s, String type, String name, String path, int depth) {
        return switch (type) {
            case "null" -> use("null");
            case "boolean" -> use("boolean");
            case "string" -> visitString(s, name, path);
            case "integer" -> visitNumber(s, true, path);
            case "number" -> visitNumber(s, false, path);
            case "array" -> visitArray(s, name, path, depth);
            case "object" -> visitObject(s, name, path, depth);
            default -> throw new IllegalStateException(type);
        };
    }

    // ---- strings ----

    private String visitString(JsonNode s, String name, String path) {
        boolean lengths = s.has("minLength") || s.has("maxLength");
        String format = s.has("format") && s.get("format").isTextual() ? s.get("format").textValue() : null;
        if (format != null && FORMATS.containsKey(format)) {
            if (lengths || s.has("pattern")) {
                throw error(path, "format \"" + format + "\" together with pattern or length limits is not supported");
            }
            return use(FORMATS.get(format));
        }
        if (s.has("pattern")) {
            if (lengths) throw error(path, "pattern together with minLength or maxLength is not supported");
            String pattern = text(s, "pattern", path);
            String content;
            try {
                content = PatternGrammar.translate(pattern);
            } catch (InvalidSchemaException e) {
                throw error(path, e.getMessage());
            }
            return "\"\\\"\" " + content + " \"\\\"\"";
        }
        if (lengths) {
            int min = nonNegative(s, "minLength", 0, path);
            int max = nonNegative(s, "maxLength", -1, path);
            if (max >= 0 && max < min) throw error(path, "maxLength is less than minLength");
            if (min > MAX_STRING_LENGTH) throw error(path, "minLength above " + MAX_STRING_LENGTH + " is not supported");
            if (max > MAX_STRING_LENGTH) max = Math.max(min, MAX_STRING_LENGTH);
            use("char");
            String chars = Gbnf.repeat("char", min, max, "");
            return "\"\\\"\" " + (chars.isEmpty() ? "" : chars + " ") + "\"\\\"\"";
        }
        return use("string");
    }

    // ---- numbers ----

    private String visitNumber(JsonNode s, boolean integer, String path) {
        if (s.has("multipleOf")) {
            JsonNode m = s.get("multipleOf");
            if (!m.isNumber() || m.decimalValue().signum() <= 0) throw error(path, "multipleOf must be a positive number");
            if (m.decimalValue().compareTo(BigDecimal.ONE) != 0) {
                throw error(path, "multipleOf other than 1 is not supported");
            }
            integer = true;
        }
        BigDecimal lo = null;
        BigDecimal hi = null;
        boolean loExclusive = false;
        boolean hiExclusive = false;
        if (s.has("minimum")) lo = number(s, "minimum", path);
        if (s.has("maximum")) hi = number(s, "maximum", path);
        JsonNode exMin = s.get("exclusiveMinimum");
        JsonNode exMax = s.get("exclusiveMaximum");
        if (exMin != null && exMin.isBoolean()) { // draft 4: a flag on minimum
            loExclusive = exMin.booleanValue() && lo != null;
        } else if (exMin != null) {
            BigDecimal v = number(s, "exclusiveMinimum", path);
            if (lo == null || v.compareTo(lo) >= 0) {
                lo = v;
                loExclusive = true;
            }
        }
        if (exMax != null && exMax.isBoolean()) {
            hiExclusive = exMax.booleanValue() && hi != null;
        } else if (exMax != null) {
            BigDecimal v = number(s, "exclusiveMaximum", path);
            if (hi == null || v.compareTo(hi) <= 0) {
                hi = v;
                hiExclusive = true;
            }
        }
        if (lo == null && hi == null) return use(integer ? "integer" : "number");
        // The whole numbers inside the bounds; a number is then written so that its value stays within them.
        long a = lo == null ? -Digits.MAX : clamp(loExclusive
                ? lo.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE) : lo.setScale(0, RoundingMode.CEILING));
        long b = hi == null ? Digits.MAX : clamp(hiExclusive
                ? hi.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE) : hi.setScale(0, RoundingMode.FLOOR));
        if (a > b) {
            throw error(path, integer ? "no integer lies within minimum and maximum"
                    : "bounds with no whole number between them are not supported");
        }
        List<String> alternatives = new ArrayList<>();
        if (integer) {
            if (a < 0) alternatives.add("\"-\" " + Digits.range(b < 0 ? -b : 1, -a));
            if (b >= 0) alternatives.add(Digits.range(Math.max(a, 0), b));
        } else {
            String fraction = "( \".\" [0-9]{1,15} )?";
            if (a < 0) { // "-" m(.f)?, value -(m + f) within [a, b]
                long low = b < 0 ? -b : 0;
                long high = -a;
                alternatives.add("\"-\" " + (low <= high - 1
                        ? "( " + Digits.range(low, high - 1) + " " + fraction + " | \"" + high + "\" )"
                        : "\"" + high + "\""));
            }
            if (b >= 0) {
                long low = Math.max(a, 0);
                alternatives.add(low <= b - 1
                        ? Digits.range(low, b - 1) + " " + fraction + " | \"" + b + "\""
                        : "\"" + b + "\"");
            }
        }
        return alternatives.size() == 1 && !alternatives.getFirst().contains(" | ")
                ? alternatives.getFirst() : "( " + String.join(" | ", alternatives) + " )";
    }

    private static long clamp(BigDecimal v) {
        BigDecimal max = BigDecimal.valueOf(Digits.MAX);
        if (v.compareTo(max) > 0) return Digits.MAX + 1; // beyond what is written: leaves an empty range
        if (v.compareTo(max.negate()) < 0) return -Digits.MAX - 1;
        return v.longValueExact();
    }

    // ---- arrays ----

    private String visitArray(JsonNode s, String name, String path, int depth) {
        List<JsonNode> tuple = List.of();
        JsonNode rest = null; // null: any value
        JsonNode items = s.get("items");
        if (s.has("prefixItems")) {
            tuple = list(s, "prefixItems", path);
            rest = items;
        } else if (items != null && items.isArray()) { // draft 4-7 tuples
            tuple = list(s, "items", path);
            rest = s.get("additionalItems");
        } else {
            rest = items;
        }
        int min = nonNegative(s, "minItems", 0, path);
        int max = nonNegative(s, "maxItems", -1, path);
        if (max >= 0 && max < min) throw error(path, "maxItems is less than minItems");
        JsonNode unique = s.get("uniqueItems");
        if (unique != null && unique.asBoolean(false) && (max < 0 || max > 1)) {
            throw error(path, "uniqueItems is supported only with maxItems 0 or 1");
        }
        int fixed = max < 0 ? tuple.size() : Math.min(tuple.size(), max);
        int restMin = Math.max(0, min - fixed);
        int restMax = max < 0 ? -1 : max - fixed;
        if (rest != null && rest.isBoolean() && !rest.booleanValue()) restMax = 0;
        if (restMax >= 0 && restMin > restMax) throw error(path, "minItems needs more items than the schema allows");
        structureDepth++;
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < fixed; i++) {
            elements.add(ruleFor(tuple.get(i), name + "-" + i, path + "/prefixItems/" + i, depth + 1) + " ws");
        }
        String body;
        String restRepeat = "";
        if (restMax != 0) {
            String item = (rest == null ? use("value")
                    : ruleFor(rest, name + "-item", path + "/items", depth + 1)) + " ws";
            restRepeat = fixed == 0 ? Gbnf.repeat(item, restMin, restMax, "\",\" ws")
                    : Gbnf.repeat("( \",\" ws " + item + " )", restMin, restMax, "");
        }
        structureDepth--;
        body = String.join(" \",\" ws ", elements) + (elements.isEmpty() || restRepeat.isEmpty() ? "" : " ") + restRepeat;
        use("ws");
        return "\"[\" ws " + (body.isEmpty() ? "" : body + " ") + "\"]\"";
    }

    // ---- objects ----

    private String visitObject(JsonNode s, String name, String path, int depth) {
        JsonNode properties = s.get("properties");
        if (properties != null && !properties.isObject()) throw error(path, "properties must be an object");
        List<String> required = new ArrayList<>();
        if (s.has("required")) {
            JsonNode r = s.get("required");
            if (!r.isArray()) throw error(path, "required must be an array of property names");
            for (JsonNode n : r) {
                if (!n.isTextual()) throw error(path, "required must be an array of property names");
                if (!required.contains(n.textValue())) required.add(n.textValue());
            }
        }
        JsonNode additional = s.get("additionalProperties");
        if (additional != null && !additional.isBoolean() && !additional.isObject()) {
            throw error(path, "additionalProperties must be a boolean or a schema");
        }
        boolean closed = additional != null && additional.isBoolean() && !additional.booleanValue();
        int minProps = nonNegative(s, "minProperties", 0, path);
        int maxProps = nonNegative(s, "maxProperties", -1, path);
        if (maxProps >= 0 && maxProps < minProps) throw error(path, "maxProperties is less than minProperties");
        use("ws");
        structureDepth++;
        try {
            if ((properties == null || properties.isEmpty()) && required.isEmpty()) {
                if (closed) {
                    if (minProps > 0) throw error(path, "minProperties cannot be met with additionalProperties false");
                    return "\"{\" ws \"}\"";
                }
                if (additional == null || additional.isBoolean()) {
                    if (minProps == 0 && maxProps < 0) return use("object");
                }
                if (minProps > 1) throw error(path, "minProperties above 1 without properties is not supported");
                String value = additional == null || additional.isBoolean() ? use("value")
                        : ruleFor(additional, name + "-value", path + "/additionalProperties", depth + 1);
                String kv = rule(name + "-kv", use("string") + " ws \":\" ws " + value);
                String members = Gbnf.repeat(kv + " ws", minProps, maxProps, "\",\" ws");
                return "\"{\" ws " + (members.isEmpty() ? "" : members + " ") + "\"}\"";
            }
            // Declared properties, then required names that are not declared (any value, or additionalProperties').
            Map<String, JsonNode> props = new LinkedHashMap<>();
            Map<String, String> paths = new HashMap<>();
            if (properties != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String p = path + "/properties/" + pointerEscape(e.getKey());
                    if (e.getValue().isBoolean() && !e.getValue().booleanValue()) {
                        if (required.contains(e.getKey())) throw error(p, "a required property has schema false");
                        continue;
                    }
                    props.put(e.getKey(), e.getValue());
                    paths.put(e.getKey(), p);
                }
            }
            for (String r : required) {
                if (props.containsKey(r)) continue;
                if (closed) throw error(path, "required property \"" + r + "\" is not allowed by additionalProperties");
                props.put(r, additional == null ? JsonNodeFactory.instance.booleanNode(true) : additional);
                paths.put(r, path + "/additionalProperties");
            }
            List<String> req = new ArrayList<>();
            List<String> opt = new ArrayList<>();
            for (String p : props.keySet()) (required.contains(p) ? req : opt).add(p);
            if (minProps > req.size()) throw error(path, "minProperties above the number of required properties is not supported");
            if (maxProps >= 0 && maxProps < props.size()) {
                throw error(path, "maxProperties below the number of properties is not supported");
            }
            Map<String, String> kv = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : props.entrySet()) {
                String key = e.getKey();
                String value = ruleFor(e.getValue(), name + "-" + key, paths.get(key), depth + 1);
                kv.put(key, rule(name + "-" + key + "-kv", Gbnf.literal(Gbnf.jsonQuote(key)) + " ws \":\" ws " + value));
            }
            StringBuilder body = new StringBuilder("\"{\" ws ");
            for (int i = 0; i < req.size(); i++) {
                if (i > 0) body.append("\",\" ws ");
                body.append(kv.get(req.get(i))).append(" ws ");
            }
            if (!opt.isEmpty()) {
                // Any subset of the optional properties, in order: alternative i starts with the i-th one, then
                // each later one may follow (llama.cpp's construction; linear in the number of properties).
                List<String> starts = new ArrayList<>();
                String next = "";
                for (int i = opt.size() - 1; i >= 0; i--) {
                    String k = opt.get(i);
                    starts.addFirst(kv.get(k) + " ws" + (next.isEmpty() ? "" : " " + next));
                    String tail = "( \",\" ws " + kv.get(k) + " ws )?" + (next.isEmpty() ? "" : " " + next);
                    next = i == 0 ? next : rule(name + "-" + k + "-rest", tail);
                }
                String choice = starts.size() == 1 ? starts.getFirst() : "( " + String.join(" | ", starts) + " )";
                body.append(req.isEmpty() ? "( " + choice + " )? " : "( \",\" ws " + choice + " )? ");
            }
            return body.append("\"}\"").toString();
        } finally {
            structureDepth--;
        }
    }

    // ---- $ref ----

    private String ref(String ref, String path, int depth) {
        String known = refRules.get(ref);
        if (known != null) {
            Integer openedAt = openRefs.get(ref);
            if (openedAt != null && openedAt == structureDepth) {
                throw error(path, "$ref \"" + ref + "\" refers to itself without an object or array in between");
            }
            return known;
        }
        JsonNode target = resolve(ref, path);
        String segment = ref.substring(ref.lastIndexOf('/') + 1);
        String name = rule("ref-" + segment, "\u0000" + ref); // reserved until its body is known
        refRules.put(ref, name);
        openRefs.put(ref, structureDepth);
        String body = visit(target, name, ref, depth + 1);
        openRefs.remove(ref);
        rules.put(name, body);
        return name;
    }

    private JsonNode resolve(String ref, String path) {
        if (!ref.startsWith("#")) throw error(path, "only local $ref (\"#/...\") is supported, not \"" + ref + "\"");
        String pointer = ref.substring(1);
        if (pointer.isEmpty()) return root;
        JsonNode target;
        try {
            target = root.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw error(path, "invalid $ref \"" + ref + "\"");
        }
        if (target.isMissingNode()) throw error(path, "$ref \"" + ref + "\" does not resolve");
        return target;
    }

    // ---- allOf: merged into one schema ----

    private JsonNode allOf(List<JsonNode> parts, String path, int depth) {
        if (depth > MAX_DEPTH) throw error(path, "schema nested too deeply");
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        int withAdditional = 0;
        int withProperties = 0;
        for (JsonNode part : flatten(parts, path, depth)) {
            if (part.has("additionalProperties")) withAdditional++;
            if (part.has("properties") || part.has("required")) withProperties++;
            for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                JsonNode value = e.getValue();
                if (ANNOTATIONS.contains(key)) continue;
                if (UNSUPPORTED.contains(key)) throw error(path, "keyword \"" + key + "\" is not supported");
                JsonNode current = merged.get(key);
                if (current == null) {
                    merged.set(key, value);
                    continue;
                }
                switch (key) {
                    case "type" -> merged.set(key, intersectTypes(current, value, path));
                    case "required" -> {
                        ArrayNode union = JsonNodeFactory.instance.arrayNode().addAll((ArrayNode) current);
                        for (JsonNode n : value) if (!containsNode(union, n)) union.add(n);
                        merged.set(key, union);
                    }
                    case "properties" -> {
                        ObjectNode props = ((ObjectNode) current).deepCopy();
                        for (Iterator<Map.Entry<String, JsonNode>> p = value.fields(); p.hasNext(); ) {
                            Map.Entry<String, JsonNode> prop = p.next();
                            JsonNode had = props.get(prop.getKey());
                            if (had == null || had.equals(prop.getValue())) {
                                props.set(prop.getKey(), prop.getValue());
                            } else {
                                props.set(prop.getKey(), JsonNodeFactory.instance.objectNode()
                                        .set("allOf", JsonNodeFactory.instance.arrayNode().add(had).add(prop.getValue())));
                            }
                        }
                        merged.set(key, props);
                    }
                    case "minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum" ->
                            merged.set(key, current.decimalValue().compareTo(value.decimalValue()) >= 0 ? current : value);
                    case "maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum" ->
                            merged.set(key, current.decimalValue().compareTo(value.decimalValue()) <= 0 ? current : value);
                    default -> {
                        if (!current.equals(value)) {
                            throw error(path, "allOf with differing \"" + key + "\" is not supported");
                        }
                    }
                }
            }
        }
        if (withAdditional > 0 && withProperties > 1) {
            throw error(path, "allOf combining additionalProperties with properties of another part is not supported");
        }
        return merged;
    }

    /** The parts of an allOf with $refs resolved and nested allOfs inlined. */
    private List<JsonNode> flatten(List<JsonNode> parts, String path, int depth) {
        if (depth > MAX_DEPTH) throw error(path, "schema nested too deeply (or a $ref cycle in allOf)");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode part : parts) {
            if (part.isBoolean()) {
                if (!part.booleanValue()) throw error(path, "schema false allows no value");
                continue;
            }
            if (!part.isObject()) throw error(path, "a schema must be an object or a boolean");
            List<JsonNode> inner = new ArrayList<>();
            if (part.has("$ref")) inner.add(resolve(text(part, "$ref", path), path));
            if (part.has("allOf")) inner.addAll(list(part, "allOf", path));
            if (inner.isEmpty()) {
                out.add(part);
            } else {
                inner.add(without(without(part, "$ref"), "allOf"));
                out.addAll(flatten(inner, path, depth + 1));
            }
        }
        return out;
    }

    private JsonNode intersectTypes(JsonNode a, JsonNode b, String path) {
        Set<String> left = typeNames(a, path);
        Set<String> right = typeNames(b, path);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (String t : left) {
            if (right.contains(t)) out.add(t);
            else if (t.equals("number") && right.contains("integer")) out.add("integer");
            else if (t.equals("integer") && right.contains("number")) out.add("integer");
        }
        if (out.isEmpty()) throw error(path, "allOf parts have no type in common");
        return out.size() == 1 ? out.get(0) : out;
    }

    // ---- helpers ----

    /** Declared types, or those the type-specific keywords imply (a schema with none of them allows any value). */
    private Set<String> types(JsonNode s, String path) {
        if (s.has("type")) return typeNames(s.get("type"), path);
        Set<String> types = new LinkedHashSet<>();
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (OBJECT_KEYWORDS.contains(k)) types.add("object");
            if (ARRAY_KEYWORDS.contains(k)) types.add("array");
            if (STRING_KEYWORDS.contains(k)) types.add("string");
            if (NUMBER_KEYWORDS.contains(k)) types.add("number");
            if (k.equals("format") && s.get(k).isTextual() && FORMATS.containsKey(s.get(k).textValue())) {
                types.add("string");
            }
        }
        if (s.has("const") || s.has("enum")) types.clear();
        return types;
    }

    private Set<String> typeNames(JsonNode type, String path) {
        Set<String> out = new LinkedHashSet<>();
        if (type.isTextual()) {
            out.add(type.textValue());
        } else if (type.isArray() && !type.isEmpty()) {
            for (JsonNode t : type) {
                if (!t.isTextual()) throw error(path, "type must be a string or an array of strings");
                out.add(t.textValue());
            }
        } else {
            throw error(path, "type must be a string or a non-empty array of strings");
        }
        for (String t : out) if (!TYPES.contains(t)) throw error(path, "unknown type \"" + t + "\"");
        // Integers are numbers: a union with both needs only the wider one.
        if (out.contains("number")) out.remove("integer");
        return out;
    }

    private static boolean matchesType(JsonNode v, Set<String> types) {
        return switch (v.getNodeType()) {
            case NULL -> types.contains("null");
            case BOOLEAN -> types.contains("boolean");
            case STRING -> types.contains("string");
            case ARRAY -> types.contains("array");
            case OBJECT -> types.contains("object");
            case NUMBER -> types.contains("number") || types.contains("integer")
                    && (v.isIntegralNumber() || v.decimalValue().stripTrailingZeros().scale() <= 0);
            default -> false;
        };
    }

    /** Whether {@code s} has any keyword that constrains values, apart from {@code ignoring}. */
    private static boolean hasConstraints(JsonNode s, Set<String> ignoring) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ANNOTATIONS.contains(k) && !ignoring.contains(k)) return true;
        }
        return false;
    }

    private static JsonNode refOnly(JsonNode s) {
        return JsonNodeFactory.instance.objectNode().set("$ref", s.get("$ref"));
    }

    private static JsonNode without(JsonNode s, String key) {
        ObjectNode copy = ((ObjectNode) s).deepCopy();
        copy.remove(key);
        return copy;
    }

    private static boolean containsNode(ArrayNode array, JsonNode n) {
        for (JsonNode x : array) if (x.equals(n)) return true;
        return false;
    }

    private List<JsonNode> list(JsonNode s, String key, String path) {
        JsonNode v = s.get(key);
        if (!v.isArray() || v.isEmpty()) throw error(path, key + " must be a non-empty array of schemas");
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    private String text(JsonNode s, String key, String path) {
        JsonNode v = s.get(key);
        if (!v.isTextual()) throw error(path, key + " must be a string");
        return v.textValue();
    }

    private int nonNegative(JsonNode s, String key, int absent, String path) {
        JsonNode v = s.get(key);
        if (v == null) return absent;
        if (!v.isNumber() || v.decimalValue().signum() < 0 || v.decimalValue().stripTrailingZeros().scale() > 0) {
            throw error(path, key + " must be a non-negative integer");
        }
        return v.decimalValue().compareTo(BigDecimal.valueOf(1_000_000)) > 0 ? 1_000_000 : v.intValue();
    }

    private BigDecimal number(JsonNode s, String key, String path) {
        JsonNode v = s.get(key);
        if (!v.isNumber()) throw error(path, key + " must be a number");
        return v.decimalValue();
    }

    private static String pointerEscape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static InvalidSchemaException error(String path, String what) {
        return new InvalidSchemaException(what + " (at " + path + ")");
    }
}
