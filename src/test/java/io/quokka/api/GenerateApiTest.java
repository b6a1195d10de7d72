package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /api/generate} on the real engine (llama.cpp in runner processes) with generated models. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class GenerateApiTest {
    @TestHTTPResource("/")
    URI base;

    static String greedy(String model, String prompt, int numPredict) {
        return """
                {"model":"%s","prompt":"%s","stream":false,"options":{"temperature":0,"num_predict":%d}}"""
                .formatted(model, prompt, numPredict);
    }

    static JsonPath post(String path, String body) {
        return given().body(body).post(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void nonStreamedAnswerCarriesOllamasFieldsAndExactCounts() {
        var response = given().body(greedy("toy", "Why is the sky blue?", 12)).post("/api/generate").then()
                .statusCode(200)
                .header("Content-Type", startsWith("application/json"))
                .body("model", equalTo("toy"))
                .body("done", equalTo(true))
                .body("done_reason", equalTo("length"))
                .body("eval_count", equalTo(12))
                .body("prompt_eval_count", greaterThan(3))
                .body("created_at", containsString("T"))
                .extract().jsonPath();
        assertFalse(response.getString("response").isEmpty());
        for (String duration : List.of("total_duration", "eval_duration", "prompt_eval_duration")) {
            assertTrue(response.getLong(duration) > 0, duration);
        }
        assertTrue(response.getLong("total_duration") >= response.getLong("eval_duration"));
        List<Integer> context = response.getList("context", Integer.class);
        assertEquals(response.getInt("prompt_eval_count") + 12, context.size(), "context = prompt + generated tokens");
    }

    @Test
    void numPredictIsHonouredExactly() {
        for (int n : new int[] {1, 7, 40}) {
            JsonPath r = post("/api/generate", greedy("toy", "Count with me", n));
            assertEquals(n, r.getInt("eval_count"));
            assertEquals("length", r.getString("done_reason"));
        }
    }

    @Test
    void greedyAndSeededSamplingAreDeterministic() {
        String a = post("/api/generate", greedy("toy", "Tell me a story", 24)).getString("response");
        String b = post("/api/generate", greedy("toy", "Tell me a story", 24)).getString("response");
        assertEquals(a, b);
        String seeded = """
                {"model":"toy","prompt":"Tell me a story","stream":false,
                 "options":{"temperature":1.0,"seed":1234,"num_predict":24}}""";
        assertEquals(post("/api/generate", seeded).getString("response"),
                post("/api/generate", seeded).getString("response"));
    }

    @Test
    void streamsNdjsonTokenByTokenEndingWithMetrics() {
        String body = """
                {"model":"toy","prompt":"Why is the sky blue?","options":{"temperature":0,"num_predict":20}}""";
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", body);
        assertEquals(200, stream.response().statusCode());
        assertEquals("application/x-ndjson", stream.contentType());
        List<JsonNode> lines = new ArrayList<>();
        while (stream.hasNext()) lines.add(stream.next());
        JsonNode last = lines.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals(20, last.get("eval_count").asInt());
        assertEquals("length", last.get("done_reason").asText());
        assertTrue(lines.size() > 10, "one chunk per token, roughly: " + lines.size());
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines.subList(0, lines.size() - 1)) {
            assertFalse(line.get("done").asBoolean());
            assertFalse(line.has("eval_count"), "metrics only on the final chunk");
            text.append(line.get("response").asText());
        }
        String whole = post("/api/generate", greedy("toy", "Why is the sky blue?", 20)).getString("response");
        assertEquals(whole, text.toString(), "streaming and non-streaming give the same text");
    }

    @Test
    void stopStringsEndGenerationAndAreNotDelivered() {
        String full = post("/api/generate", greedy("toy", "Say something", 40)).getString("response");
        assertTrue(full.length() > 12, full);
        String stop = full.substring(8, 11);
        String expected = full.substring(0, full.indexOf(stop));
        String body = """
                {"model":"toy","prompt":"Say something","stream":false,
                 "options":{"temperature":0,"num_predict":40,"stop":["%s"]}}""".formatted(stop.replace("\\", "\\\\").replace("\"", "\\\""));
        JsonPath r = post("/api/generate", body);
        assertEquals(expected, r.getString("response"));
        assertEquals("stop", r.getString("done_reason"));
    }

    @Test
    void rawModeAndTemplateOverride() {
        JsonPath raw = post("/api/generate", """
                {"model":"toy","prompt":"<|im_start|>user\\nhi<|im_end|>\\n","raw":true,"stream":false,
                 "options":{"temperature":0,"num_predict":4}}""");
        assertEquals(4, raw.getInt("eval_count"));
        assertFalse(raw.getMap("").containsKey("context"), "raw responses carry no context");
        given().body("""
                {"model":"toy","prompt":"hi","raw":true,"system":"x"}""").post("/api/generate").then().statusCode(400)
                .body("error", equalTo("raw mode does not support template, system, or context"));
    }

    @Test
    void contextContinuesAConversation() {
        JsonPath first = post("/api/generate", greedy("toy", "Hello", 5));
        List<Integer> context = first.getList("context", Integer.class);
        JsonPath second = post("/api/generate", """
                {"model":"toy","prompt":"Again","context":%s,"stream":false,"options":{"temperature":0,"num_predict":5}}"""
                .formatted(context));
        assertTrue(second.getInt("prompt_eval_count") > context.size());
    }

    @Test
    void aPromptLongerThanTheContextIsTruncated() {
        String longPrompt = "word ".repeat(400);
        JsonPath r = post("/api/generate", """
                {"model":"toy","prompt":"%s","stream":false,"options":{"temperature":0,"num_predict":4,"num_ctx":128}}"""
                .formatted(longPrompt));
        assertEquals(4, r.getInt("eval_count"));
        assertTrue(r.getInt("prompt_eval_count") < 128, "truncated to the window: " + r.getInt("prompt_eval_count"));
    }

    @Test
    void truncateFalseRefusesAPromptLongerThanTheContext() {
        given().body("""
                {"model":"toy","prompt":"%s","stream":false,"truncate":false,"options":{"num_predict":4,"num_ctx":128}}"""
                .formatted("word ".repeat(400))).post("/api/generate").then().statusCode(400)
                .body("error", equalTo("the input length exceeds the context length"));
    }

    @Test
    void emptyPromptLoadsAndKeepAliveZeroUnloads() {
        given().body("{\"model\":\"plain/q4:small\"}").post("/api/generate").then().statusCode(200)
                .body("done", equalTo(true)).body("done_reason", equalTo("load")).body("response", equalTo(""));
        given().get("/api/ps").then().statusCode(200)
                .body("models", hasSize(1))
                .body("models[0].name", equalTo("plain/q4:small"))
                .body("models[0].model", equalTo("plain/q4:small"))
                .body("models[0].digest", not(equalTo("")))
                .body("models[0].size_vram", equalTo(0))
                .body("models[0].context_length", greaterThan(0))
                .body("models[0].expires_at", containsString("T"))
                .body("models[0].details.quantization_level", equalTo("Q4_0"));
        given().body("{\"model\":\"plain/q4:small\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200)
                .body("done_reason", equalTo("unload"));
        given().get("/api/ps").then().statusCode(200).body("models", hasSize(0));
    }

    @Test
    void badInputGetsOllamasErrorsAndTheServerKeepsServing() {
        given().body("{\"model\":\"nope\",\"prompt\":\"hi\"}").post("/api/generate").then().statusCode(404)
                .body("error", equalTo("model 'nope' not found"));
        given().body("{\"model\":\"/etc/passwd\",\"prompt\":\"hi\"}").post("/api/generate").then().statusCode(400);
        given().body("{\"prompt\":\"hi\"}").post("/api/generate").then().statusCode(400)
                .body("error", equalTo("model is required"));
        given().post("/api/generate").then().statusCode(400).body("error", equalTo("missing request body"));
        given().body("{\"model\":\"toy\",\"prompt\":").post("/api/generate").then().statusCode(400);
        given().body("{\"model\":\"toy\",\"prompt\":42}").post("/api/generate").then().statusCode(400)
                .body("error", containsString("prompt"));
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"options\":{\"temperature\":\"hot\"}}")
                .post("/api/generate").then().statusCode(400)
                .body("error", equalTo("option \"temperature\" must be of type float32"));
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"options\":{\"num_predict\":\"many\"}}")
                .post("/api/generate").then().statusCode(400)
                .body("error", equalTo("option \"num_predict\" must be of type integer"));
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"keep_alive\":\"soon\"}").post("/api/generate").then()
                .statusCode(400).body("error", containsString("duration"));
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"format\":\"yaml\"}").post("/api/generate").then()
                .statusCode(400);
        // Images need a vision model: Ollama's capability error.
        given().body("{\"model\":\"toy\",\"prompt\":\"what is this?\",\"images\":[\"aGVsbG8=\"]}")
                .post("/api/generate").then().statusCode(400)
                .body("error", equalTo("registry.ollama.ai/library/toy:latest does not support vision"));
        // A malformed GGUF never reaches llama.cpp.
        given().body("{\"model\":\"broken\",\"prompt\":\"hi\"}").post("/api/generate").then().statusCode(500)
                .body("error", containsString("GGUF"));
        // Unknown options are ignored.
        JsonPath ok = post("/api/generate", """
                {"model":"toy","prompt":"hi","stream":false,"options":{"temperature":0,"num_predict":3,"warp_speed":9}}""");
        assertEquals(3, ok.getInt("eval_count"));
    }
}
