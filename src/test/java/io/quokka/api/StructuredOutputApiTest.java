package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.grammar.SchemaValidator;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Structured outputs on the real engine: toy models with random weights produce gibberish, so everything that makes
 * their output valid JSON comes from the grammar. Every schema is sampled greedily and at temperature 1.0 with
 * several seeds, through {@code /api/generate} and {@code /api/chat}; every complete output must parse (strictly:
 * no trailing text, no duplicate keys) and validate against its schema.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class StructuredOutputApiTest {
    @TestHTTPResource("/")
    URI base;

    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static final int[] SEEDS = {1, 2, 3, 4, 5};
    static final String[] PROMPTS = {"Describe a person as JSON.", "Give me the data."};

    /** Schemas whose every output is bounded: each generation must finish within the budget. */
    static final Map<String, String> BOUNDED = new LinkedHashMap<>();
    /** Schemas with unbounded parts (free strings, recursion): outputs may hit num_predict; complete ones must validate. */
    static final Map<String, String> UNBOUNDED = new LinkedHashMap<>();

    static {
        BOUNDED.put("person", """
                {"type":"object","additionalProperties":false,
                 "properties":{
                   "name":{"type":"string","minLength":1,"maxLength":12},
                   "age":{"type":"integer","minimum":0,"maximum":120},
                   "email":{"type":"string","format":"email"},
                   "tags":{"type":"array","items":{"enum":["red","green","blue"]},"minItems":1,"maxItems":3},
                   "address":{"$ref":"#/$defs/address"},
                   "active":{"type":"boolean"},
                   "nickname":{"type":["string","null"],"maxLength":8}},
                 "required":["name","age","tags","active"],
                 "$defs":{"address":{"type":"object","additionalProperties":false,
                   "properties":{"street":{"type":"string","maxLength":16},"zip":{"type":"string","pattern":"^\\\\d{5}$"},
                                 "country":{"const":"AU"}},
                   "required":["street","zip","country"]}}}""");
        BOUNDED.put("measurement", """
                {"type":"object",
                 "properties":{
                   "value":{"type":"number","minimum":-10,"maximum":10},
                   "unit":{"enum":["cm","mm","in"]},
                   "ratio":{"type":"number","exclusiveMinimum":0,"maximum":1},
                   "count":{"type":"integer","exclusiveMaximum":5},
                   "nothing":{"type":"null"},
                   "id":{"type":"string","format":"uuid"},
                   "day":{"type":"string","format":"date"},
                   "at":{"type":"string","format":"date-time"},
                   "code":{"type":"string","pattern":"^[A-Z]{2}-[0-9]{2,4}(-x)?$"}},
                 "required":["value","unit","ratio","count","nothing","id","day","at","code"]}""");
        BOUNDED.put("tuple", """
                {"type":"array","prefixItems":[{"type":"integer"},{"type":"string","maxLength":5}],
                 "items":{"type":"boolean"},"minItems":2,"maxItems":5}""");
        BOUNDED.put("shape", """
                {"oneOf":[
                  {"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"integer","minimum":1,"maximum":9}},
                   "required":["kind","r"],"additionalProperties":false},
                  {"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number","minimum":0,"maximum":5}},
                   "required":["kind","side"],"additionalProperties":false}]}""");
        BOUNDED.put("order", """
                {"type":"object",
                 "properties":{
                   "lines":{"type":"array","maxItems":3,"items":{"type":"object",
                     "properties":{"sku":{"type":"string","pattern":"^[a-z]{3}\\\\d$"},
                                   "qty":{"type":"integer","minimum":1,"maximum":99},
                                   "price":{"type":["number","null"],"minimum":0,"maximum":1000}},
                     "required":["sku","qty"]}},
                   "total":{"type":"number","minimum":0,"maximum":100000}},
                 "required":["lines","total"]}""");
        BOUNDED.put("allOf", """
                {"allOf":[{"$ref":"#/$defs/base"},
                          {"properties":{"extra":{"type":"boolean"}},"required":["extra"]}],
                 "$defs":{"base":{"type":"object","properties":{"id":{"type":"integer","minimum":0,"maximum":999}},
                                  "required":["id"]}}}""");
        BOUNDED.put("pydantic", """
                {"properties":{"title":{"title":"Title","type":"string","maxLength":20},
                               "rating":{"anyOf":[{"type":"integer","minimum":1,"maximum":5},{"type":"null"}],
                                         "default":null,"title":"Rating"}},
                 "required":["title"],"title":"Review","type":"object"}""");
        BOUNDED.put("strings", """
                {"type":"object",
                 "properties":{
                   "ip":{"type":"string","format":"ipv4"},
                   "clock":{"type":"string","format":"time"},
                   "free":{"type":"string","pattern":"^[^a-z\\"]{1,4}x.$"},
                   "quotes":{"type":"string","pattern":"^\\"{1,2}\\\\\\\\(\\t|\\n)$"},
                   "word":{"type":"string","pattern":"\\\\w{1,6}@\\\\d{2}"},
                   "short":{"type":"string","minLength":2,"maxLength":3},
                   "n":{"type":["integer","number","null"]}},
                 "required":["ip","clock","free","quotes","word","short","n"]}""");
        BOUNDED.put("enum", """
                {"enum":["yes","no",1,null,{"a":[1,2]}]}""");
        UNBOUNDED.put("json", "\"json\"");
        UNBOUNDED.put("free-text", """
                {"type":"object","properties":{"text":{"type":"string"},"n":{"type":"number"},
                 "flags":{"additionalProperties":{"type":"boolean"},"maxProperties":2}},"required":["text","n","flags"]}""");
        UNBOUNDED.put("linked-list", """
                {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","minimum":0,"maximum":9},
                  "next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"]}},
                 "$ref":"#/$defs/node"}""");
    }

    record Sample(String schema, String endpoint, double temperature, int seed, String text, String doneReason,
                  int evalCount, long evalMillis) {}

    static String request(String endpoint, String format, String prompt, double temperature, int seed, int budget) {
        String options = """
                {"temperature":%s,"seed":%d,"num_predict":%d}""".formatted(temperature, seed, budget);
        return endpoint.equals("generate")
                ? """
                {"model":"toy","prompt":"%s","format":%s,"stream":false,"options":%s}""".formatted(prompt, format, options)
                : """
                {"model":"toy","messages":[{"role":"user","content":"%s"}],"format":%s,"stream":false,"options":%s}"""
                .formatted(prompt, format, options);
    }

    /** Each endpoint: greedy with each prompt, then temperature 1.0 with the first {@code seeds} seeds. */
    static List<Sample> sample(String name, String format, int budget, int seeds) {
        List<Sample> out = new ArrayList<>();
        for (String endpoint : List.of("generate", "chat")) {
            List<Object[]> runs = new ArrayList<>();
            for (String prompt : PROMPTS) runs.add(new Object[] {prompt, 0.0, 0});
            for (int i = 0; i < seeds; i++) runs.add(new Object[] {PROMPTS[0], 1.0, SEEDS[i]});
            for (Object[] run : runs) {
                JsonPath r = given().body(request(endpoint, format, (String) run[0], (double) run[1], (int) run[2], budget))
                        .post("/api/" + endpoint).then().statusCode(200).extract().jsonPath();
                String text = endpoint.equals("generate") ? r.getString("response") : r.getString("message.content");
                out.add(new Sample(name, endpoint, (double) run[1], (int) run[2], text, r.getString("done_reason"),
                        r.getInt("eval_count"), r.getLong("eval_duration") / 1_000_000));
            }
        }
        return out;
    }

    /** Parses strictly and validates; returns the problem, or null when the output is valid. */
    static String problem(String format, String text) {
        JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return "does not parse: " + e.getOriginalMessage();
        }
        if (value == null) return "empty";
        try {
            JsonNode schema = STRICT.readTree(format);
            if (schema.isTextual()) return value.isObject() ? null : "not an object";
            List<String> errors = SchemaValidator.validate(schema, value);
            return errors.isEmpty() ? null : String.join("; ", errors);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> bounded() {
        return List.copyOf(BOUNDED.keySet());
    }

    static List<String> unbounded() {
        return List.copyOf(UNBOUNDED.keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bounded")
    void boundedSchemasAlwaysFinishAndValidate(String name) {
        String format = BOUNDED.get(name);
        int maxTokens = 0;
        List<Sample> samples = sample(name, format, 1024, SEEDS.length);
        List<String> failures = new ArrayList<>();
        for (Sample s : samples) {
            maxTokens = Math.max(maxTokens, s.evalCount());
            if (!"stop".equals(s.doneReason())) {
                failures.add(s + ": did not finish");
                continue;
            }
            String problem = problem(format, s.text());
            if (problem != null) failures.add(s + ": " + problem);
        }
        System.out.printf("structured output, %s: %d outputs, %d invalid or unfinished, longest %d tokens, e.g. %s%n",
                name, samples.size(), failures.size(), maxTokens, samples.getLast().text());
        if (!failures.isEmpty()) fail(String.join("\n", failures));
        assertEquals(2 * (PROMPTS.length + SEEDS.length), samples.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unbounded")
    void unboundedSchemasValidateWhenComplete(String name) {
        String format = UNBOUNDED.get(name);
        List<String> failures = new ArrayList<>();
        int complete = 0;
        int truncated = 0;
        long slowest = 0;
        for (Sample s : sample(name, format, 256, 3)) {
            slowest = Math.max(slowest, s.evalMillis());
            if ("length".equals(s.doneReason())) {
                truncated++;
                continue;
            }
            assertEquals("stop", s.doneReason());
            complete++;
            String problem = problem(format, s.text());
            if (problem != null) failures.add(s + ": " + problem);
        }
        System.out.printf("structured output, %s: %d complete (all checked), %d truncated by num_predict 256, slowest %d ms%n",
                name, complete, truncated, slowest);
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }

    @Test
    void streamedOutputIsTheSameDocument() {
        String format = BOUNDED.get("shape");
        String body = request("generate", format, PROMPTS[0], 1.0, 7, 1500).replace("\"stream\":false", "\"stream\":true");
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", body);
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        while (stream.hasNext()) {
            last = stream.next();
            text.append(last.get("response").asText());
        }
        assertEquals("stop", last.get("done_reason").asText());
        assertEquals(null, problem(format, text.toString()), text.toString());
        String whole = given().body(request("generate", format, PROMPTS[0], 1.0, 7, 1500)).post("/api/generate")
                .then().statusCode(200).extract().jsonPath().getString("response");
        assertEquals(whole, text.toString());
    }

    @Test
    void badSchemasAre400sBeforeAnyModelLoads() {
        // The model does not exist: a 400 (not a 404) shows the schema is checked first.
        Map<String, String> cases = Map.of(
                "{\"type\":\"strin\"}", "unknown type \"strin\"",
                "{\"type\":\"array\",\"uniqueItems\":true}", "uniqueItems",
                "{\"not\":{\"type\":\"string\"}}", "keyword \"not\" is not supported",
                "{\"$ref\":\"#/$defs/missing\"}", "does not resolve",
                "{\"type\":\"string\",\"pattern\":\"(?=a)b\"}", "lookaround",
                "{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}", "no integer",
                "{\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"b\"],\"additionalProperties\":false}",
                "required property \"b\"");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            for (String endpoint : List.of("generate", "chat")) {
                given().body(request(endpoint, c.getKey(), "hi", 0, 0, 5).replace("\"toy\"", "\"no-such-model\""))
                        .post("/api/" + endpoint).then().statusCode(400)
                        .body("error", startsWith("invalid JSON schema in format: "))
                        .body("error", containsString(c.getValue()));
            }
        }
    }

    @Test
    void chatThroughTheGgufTemplateIsConstrainedToo() {
        String format = BOUNDED.get("order");
        for (int seed : SEEDS) {
            JsonPath r = given().body(request("chat", format, "An order, please.", 1.0, seed, 1024)
                            .replace("\"toy\"", "\"plain/q4:small\""))
                    .post("/api/chat").then().statusCode(200).extract().jsonPath();
            assertEquals("stop", r.getString("done_reason"));
            assertEquals(null, problem(format, r.getString("message.content")), r.getString("message.content"));
        }
    }

    @Test
    void aGrammarThatIsCompleteEndsGenerationWithinBudget() {
        // A const schema: exactly one document is possible, then only end-of-generation.
        JsonPath r = given().body(request("generate", "{\"const\":{\"ok\":true}}", "hi", 1.0, 3, 100))
                .post("/api/generate").then().statusCode(200).extract().jsonPath();
        assertEquals("{\"ok\":true}", r.getString("response"));
        assertEquals("stop", r.getString("done_reason"));
        assertTrue(r.getInt("eval_count") <= 12, "the document's tokens plus one end-of-generation token");
    }
}
