package io.quokka.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JSON-schema → GBNF converter, on grammar text (the engine-level proof is StructuredOutputApiTest). */
class JsonSchemaGrammarTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String grammar(String schema) {
        return JsonSchemaGrammar.fromSchema(json(schema));
    }

    static String rule(String grammar, String name) {
        return grammar.lines().filter(l -> l.startsWith(name + " ::= ")).findFirst()
                .map(l -> l.substring(name.length() + 5)).orElseThrow(() -> new AssertionError(name + " in\n" + grammar));
    }

    @Test
    void formatJsonIsAnyObjectEndingWhereTheDocumentEnds() {
        String g = JsonSchemaGrammar.anyJson();
        assertEquals("object", rule(g, "root"));
        assertTrue(rule(g, "object").endsWith("\"}\""), "no whitespace after the closing brace");
        assertEquals("| \" \" | \"\\n\" [ \\t]{0,20}", rule(g, "ws"), "bounded whitespace");
        assertEquals(g, JsonSchemaGrammar.forFormat("json"));
        assertEquals(null, JsonSchemaGrammar.forFormat(null));
    }

    @Test
    void objectPropertiesRequiredFirstInDeclaredOrderThenAnySubsetOfOptionals() {
        String g = grammar("""
                {"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean"},
                 "d":{"type":"null"}},"required":["c","a"]}""");
        assertEquals("\"{\" ws root-a-kv ws \",\" ws root-c-kv ws ( \",\" ws ( root-b-kv ws root-d-rest | root-d-kv ws ) )? \"}\"",
                rule(g, "root"));
        assertEquals("\"\\\"a\\\"\" ws \":\" ws string", rule(g, "root-a-kv"));
        assertEquals("( \",\" ws root-d-kv ws )?", rule(g, "root-d-rest"));
        assertEquals(g, grammar("""
                {"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean"},
                 "d":{"type":"null"}},"required":["c","a"]}"""), "deterministic");
    }

    @Test
    void closedAndEmptyObjectsAndMaps() {
        assertEquals("\"{\" ws \"}\"", rule(grammar("{\"type\":\"object\",\"additionalProperties\":false}"), "root"));
        assertEquals("object", rule(grammar("{\"type\":\"object\"}"), "root"));
        assertEquals("object", rule(grammar("{}"), "root"), "an empty schema at the top is an object, as in llama.cpp");
        String map = grammar("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"},\"maxProperties\":2}");
        assertEquals("\"{\" ws (root-kv ws (\",\" ws root-kv ws)?)? \"}\"", rule(map, "root"));
        assertEquals("string ws \":\" ws integer", rule(map, "root-kv"));
    }

    @Test
    void arraysWithBoundsAndTuples() {
        assertEquals("\"[\" ws (string ws (\",\" ws string ws){0,2})? \"]\"",
                rule(grammar("{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":3}"), "root"));
        assertEquals("\"[\" ws integer ws (\",\" ws integer ws)+ \"]\"",
                rule(grammar("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2}"), "root"));
        assertEquals("\"[\" ws integer ws \",\" ws boolean ws \"]\"", rule(grammar("""
                {"type":"array","prefixItems":[{"type":"integer"},{"type":"boolean"}],"items":false}"""), "root"));
        assertEquals("\"[\" ws \"]\"", rule(grammar("{\"type\":\"array\",\"maxItems\":0}"), "root"));
    }

    @Test
    void enumsConstsAndTypeUnions() {
        assertEquals("( \"\\\"a\\\\\\\"b\\\"\" | \"1\" | \"null\" | \"{\\\"x\\\":[true]}\" )",
                rule(grammar("{\"enum\":[\"a\\\"b\",1,null,{\"x\":[true]}]}"), "root"));
        assertEquals("\"\\\"only\\\"\"", rule(grammar("{\"type\":\"string\",\"enum\":[\"only\",2]}"), "root"),
                "enum values of another type are dropped");
        assertEquals("( string | null )", rule(grammar("{\"type\":[\"string\",\"null\"]}"), "root"));
        assertEquals("( root-0 | root-1 )", rule(grammar("""
                {"anyOf":[{"type":"object","properties":{"a":{"const":1}},"required":["a"]},{"type":"array"}]}"""), "root"));
        assertEquals("value", rule(grammar("{\"type\":\"object\",\"properties\":{\"x\":{\"description\":\"any\"}}}"),
                "root-x-kv").split(" ")[4]);
    }

    @Test
    void stringLengthsFormatsAndPatterns() {
        assertEquals("\"\\\"\" char{2,5} \"\\\"\"", rule(grammar("{\"type\":\"string\",\"minLength\":2,\"maxLength\":5}"), "root"));
        assertEquals("date-string", rule(grammar("{\"type\":\"string\",\"format\":\"date\"}"), "root"));
        assertEquals("uuid-string", rule(grammar("{\"type\":\"string\",\"format\":\"uuid\"}"), "root"));
        assertEquals("string", rule(grammar("{\"type\":\"string\",\"format\":\"hostname\"}"), "root"),
                "unknown formats are annotations");
        assertEquals("\"\\\"\" [A-Z]{2} \"-\" [0-9]{3} ((\"x\" | \"y\"))? \"\\\"\"",
                rule(grammar("{\"type\":\"string\",\"pattern\":\"^[A-Z]{2}-\\\\d{3}(x|y)?$\"}"), "root"));
        // Characters a JSON string escapes are produced escaped.
        assertEquals("\"\\\"\" \"a\\\\\\\"b\\\\\\\\\" \"\\\"\"",
                rule(grammar("{\"type\":\"string\",\"pattern\":\"a\\\"b\\\\\\\\\"}"), "root"));
        assertEquals("\"\\\"\" \"\\\\n\" \"\\\"\"", rule(grammar("{\"pattern\":\"^\\\\n$\"}"), "root"));
    }

    @Test
    void refsAndRecursion() {
        String g = grammar("""
                {"$defs":{"node":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},
                 "required":["next"]}},"$ref":"#/$defs/node"}""");
        assertEquals("ref-node", rule(g, "root"));
        assertEquals("( ref-node | null )", rule(g, "ref-node-next"));
        assertThrows(InvalidSchemaException.class, () -> grammar("{\"$ref\":\"#\"}"), "left recursion");
        assertThrows(InvalidSchemaException.class, () -> grammar("{\"$ref\":\"https://example.com/s.json\"}"));
    }

    @Test
    void allOfMergesObjects() {
        String g = grammar("""
                {"allOf":[{"$ref":"#/$defs/a"},{"properties":{"y":{"type":"integer"}},"required":["y"]}],
                 "$defs":{"a":{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]}}}""");
        assertEquals("\"{\" ws root-x-kv ws \",\" ws root-y-kv ws \"}\"", rule(g, "root"));
    }

    @Test
    void invalidAndUnsupportedSchemasSayWhatAndWhere() {
        String[][] cases = {
                {"{\"type\":\"strin\"}", "unknown type \"strin\" (at #)"},
                {"{\"properties\":{\"a\":{\"not\":{}}}}", "keyword \"not\" is not supported (at #/properties/a)"},
                {"{\"type\":\"string\",\"minLength\":3,\"maxLength\":2}", "maxLength is less than minLength (at #)"},
                {"{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true}", "uniqueItems"},
                {"{\"$ref\":\"#/$defs/nope\"}", "$ref \"#/$defs/nope\" does not resolve (at #)"},
                {"{\"type\":\"string\",\"pattern\":\"a\\\\1\"}", "not supported"},
                {"{\"type\":\"string\",\"pattern\":\"(?<=a)b\"}", "lookaround"},
                {"{\"type\":\"integer\",\"minimum\":2,\"maximum\":1}", "no integer lies within"},
                {"{\"enum\":[]}", "enum must be a non-empty array"},
                {"{\"type\":\"string\",\"const\":1}", "const does not match type"},
                {"{\"type\":\"number\",\"multipleOf\":0.5}", "multipleOf other than 1"},
                {"{\"anyOf\":[true,false]}", "schema false allows no value (at #/anyOf/1)"},
                {"{\"required\":[\"a\"],\"additionalProperties\":false}", "required property \"a\" is not allowed"},
        };
        for (String[] c : cases) {
            InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> grammar(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " → " + e.getMessage());
        }
        assertThrows(InvalidSchemaException.class, () -> JsonSchemaGrammar.forFormat("{not json"));
    }

    /** The GBNF subset Digits and bounded numbers use, as a Java regex: literals, classes, groups, repetition. */
    static Pattern regex(String gbnf) {
        return Pattern.compile(gbnf.replace("\".\"", "\\.").replace("\"", "").replace(" ", ""));
    }

    @Test
    void integerRangesMatchExactlyTheirNumbers() {
        long[][] ranges = {{0, 0}, {0, 9}, {1, 150}, {7, 7}, {10, 99}, {13, 1207}, {100, 255}, {0, 999}, {45, 46}, {98, 10002}};
        for (long[] r : ranges) {
            Pattern p = regex(Digits.range(r[0], r[1]));
            for (long n = 0; n <= 12000; n++) {
                assertEquals(n >= r[0] && n <= r[1], p.matcher(Long.toString(n)).matches(), r[0] + ".." + r[1] + ": " + n);
            }
            assertFalse(p.matcher("0" + r[0]).matches(), "no leading zeros");
        }
        assertTrue(regex(Digits.range(0, Digits.MAX)).matcher("9999999999999999").matches());
    }

    @Test
    void boundedIntegersAndNumbersStayWithinTheirBounds() {
        Random random = new Random(7);
        String[] schemas = {
                "{\"type\":\"integer\",\"minimum\":-40,\"maximum\":120}",
                "{\"type\":\"integer\",\"exclusiveMinimum\":-3,\"exclusiveMaximum\":3}",
                "{\"type\":\"integer\",\"minimum\":-500,\"maximum\":-20}",
                "{\"type\":\"integer\",\"minimum\":1}",
                "{\"type\":\"number\",\"minimum\":0,\"maximum\":1}",
                "{\"type\":\"number\",\"minimum\":-5.5,\"maximum\":10}",
                "{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":100}",
                "{\"type\":\"number\",\"minimum\":-30,\"maximum\":-2}",
        };
        for (String schema : schemas) {
            JsonNode s = json(schema);
            Pattern p = regex(rule(grammar(schema), "root"));
            int accepted = 0;
            for (int i = 0; i < 20000; i++) {
                String text = switch (i % 3) {
                    case 0 -> Integer.toString(random.nextInt(1400) - 700);
                    case 1 -> new BigDecimal(random.nextDouble() * 240 - 120).setScale(random.nextInt(4), java.math.RoundingMode.DOWN).toPlainString();
                    default -> Integer.toString(random.nextInt(21) - 10);
                };
                if (p.matcher(text).matches()) {
                    accepted++;
                    assertTrue(SchemaValidator.validate(s, json(text)).isEmpty(), schema + " accepted " + text);
                }
            }
            assertTrue(accepted > 50, schema + " accepts values: " + accepted);
        }
    }
}
