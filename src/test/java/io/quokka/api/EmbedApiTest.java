package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /api/embed}, {@code /api/embeddings} and {@code /v1/embeddings} on the real engine (toy: n_embd 128). */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class EmbedApiTest {
    static final int N_EMBD = 128;

    static JsonPath embed(String body) {
        return given().body(body).post("/api/embed").then().statusCode(200).extract().jsonPath();
    }

    static float[] vector(JsonPath r, String path) {
        List<Float> values = r.getList(path, Float.class);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return Math.sqrt(s);
    }

    @Test
    void oneNormalisedVectorForOneString() {
        JsonPath r = embed("{\"model\":\"toy\",\"input\":\"Why is the sky blue?\"}");
        assertEquals("toy", r.getString("model"));
        assertEquals(1, r.getList("embeddings").size());
        float[] v = vector(r, "embeddings[0]");
        assertEquals(N_EMBD, v.length);
        assertEquals(1.0, norm(v), 1e-4);
        assertTrue(r.getInt("prompt_eval_count") > 3);
        assertTrue(r.getLong("total_duration") > 0);
    }

    @Test
    void batchesAreDeterministicAndCountEveryToken() {
        String body = "{\"model\":\"toy\",\"input\":[\"Hello world\",\"Why is the sky blue?\",\"Hello world\"]}";
        JsonPath a = embed(body);
        JsonPath b = embed(body);
        assertEquals(3, a.getList("embeddings").size());
        for (int i = 0; i < 3; i++) {
            float[] v = vector(a, "embeddings[" + i + "]");
            assertEquals(1.0, norm(v), 1e-4);
            assertArrayEquals(v, vector(b, "embeddings[" + i + "]"), "deterministic across calls");
        }
        assertArrayEquals(vector(a, "embeddings[0]"), vector(a, "embeddings[2]"));
        assertFalse(java.util.Arrays.equals(vector(a, "embeddings[0]"), vector(a, "embeddings[1]")));
        int one = embed("{\"model\":\"toy\",\"input\":\"Hello world\"}").getInt("prompt_eval_count");
        int two = embed("{\"model\":\"toy\",\"input\":[\"Why is the sky blue?\"]}").getInt("prompt_eval_count");
        assertEquals(2 * one + two, a.getInt("prompt_eval_count"));
        assertArrayEquals(vector(a, "embeddings[1]"),
                vector(embed("{\"model\":\"toy\",\"input\":[\"Why is the sky blue?\"]}"), "embeddings[0]"));
    }

    @Test
    void dimensionsTruncateAndRenormalise() {
        float[] full = vector(embed("{\"model\":\"toy\",\"input\":\"Hello world\"}"), "embeddings[0]");
        float[] cut = vector(embed("{\"model\":\"toy\",\"input\":\"Hello world\",\"dimensions\":16}"), "embeddings[0]");
        assertEquals(16, cut.length);
        assertEquals(1.0, norm(cut), 1e-4);
        double n = norm(java.util.Arrays.copyOf(full, 16));
        for (int i = 0; i < 16; i++) assertEquals(full[i] / n, cut[i], 1e-5);
        // larger than the vector (or 0): all of it
        assertEquals(N_EMBD, vector(embed("{\"model\":\"toy\",\"input\":\"Hello world\",\"dimensions\":4096}"),
                "embeddings[0]").length);
    }

    @Test
    void overLongInputsAreTruncatedUnlessRefused() {
        String text = "word ".repeat(2100); // the toy model's window is its trained 2048 tokens
        given().body("{\"model\":\"toy\",\"input\":\"" + text + "\",\"truncate\":false}").post("/api/embed").then()
                .statusCode(400).body("error", equalTo("the input length exceeds the context length"));
        JsonPath r = embed("{\"model\":\"toy\",\"input\":\"" + text + "\"}");
        assertEquals(2048, r.getInt("prompt_eval_count"));
        assertEquals(1.0, norm(vector(r, "embeddings[0]")), 1e-4);
    }

    @Test
    void noInputOnlyLoads() {
        for (String input : List.of("", "\"\"", "null", "[]")) {
            String body = input.isEmpty() ? "{\"model\":\"toy\"}" : "{\"model\":\"toy\",\"input\":" + input + "}";
            JsonPath r = embed(body);
            assertEquals("toy", r.getString("model"));
            assertEquals(0, r.getList("embeddings").size());
            assertFalse(r.getMap("").containsKey("prompt_eval_count"));
        }
    }

    @Test
    void legacyEmbeddingsAreNotNormalised() {
        JsonPath r = given().body("{\"model\":\"toy\",\"prompt\":\"Hello world\"}").post("/api/embeddings").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of("embedding"), List.copyOf(r.getMap("").keySet()));
        float[] raw = vector(r, "embedding");
        assertEquals(N_EMBD, raw.length);
        assertNotEquals(1.0, norm(raw), 1e-3);
        float[] normalised = vector(embed("{\"model\":\"toy\",\"input\":\"Hello world\"}"), "embeddings[0]");
        double n = norm(raw);
        for (int i = 0; i < N_EMBD; i++) assertEquals(raw[i] / n, normalised[i], 1e-5);
        given().body("{\"model\":\"toy\",\"prompt\":\"\"}").post("/api/embeddings").then().statusCode(200)
                .body("embedding.size()", equalTo(0));
        given().body("{\"model\":\"nope\",\"prompt\":\"hi\"}").post("/api/embeddings").then().statusCode(404)
                .body("error", equalTo("model 'nope' not found"));
    }

    @Test
    void openAiFloatAndBase64() {
        float[] expected = vector(embed("{\"model\":\"toy\",\"input\":[\"Hello world\"]}"), "embeddings[0]");
        JsonPath f = given().body("{\"model\":\"toy\",\"input\":[\"Hello world\",\"Why is the sky blue?\"]}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath();
        assertEquals("list", f.getString("object"));
        assertEquals("toy", f.getString("model"));
        assertEquals(2, f.getList("data").size());
        assertEquals("embedding", f.getString("data[1].object"));
        assertEquals(0, f.getInt("data[0].index"));
        assertEquals(1, f.getInt("data[1].index"));
        assertArrayEquals(expected, vector(f, "data[0].embedding"));
        int tokens = f.getInt("usage.prompt_tokens");
        assertTrue(tokens > 0);
        assertEquals(tokens, f.getInt("usage.total_tokens"));

        JsonPath b = given().body("{\"model\":\"toy\",\"input\":\"Hello world\",\"encoding_format\":\"base64\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath();
        byte[] bytes = Base64.getDecoder().decode(b.getString("data[0].embedding"));
        assertEquals(N_EMBD * 4, bytes.length);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[N_EMBD];
        for (int i = 0; i < N_EMBD; i++) decoded[i] = buf.getFloat();
        assertArrayEquals(expected, decoded);

        float[] cut = vector(given().body("{\"model\":\"toy\",\"input\":\"Hello world\",\"dimensions\":8}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath(), "data[0].embedding");
        assertEquals(8, cut.length);
        assertEquals(1.0, norm(cut), 1e-4);
    }

    @Test
    void errorsInOllamasShape() {
        given().body("{\"model\":\"nope\",\"input\":\"hi\"}").post("/api/embed").then().statusCode(404)
                .body("error", equalTo("model 'nope' not found"));
        given().body("{\"model\":\"toy\",\"input\":5}").post("/api/embed").then().statusCode(400)
                .body("error", equalTo("invalid input type"));
        given().body("{\"model\":\"toy\",\"input\":[\"a\",1]}").post("/api/embed").then().statusCode(400)
                .body("error", equalTo("invalid input type"));
        given().body("{\"model\":\"toy\",\"input\":\"a\",\"truncate\":\"no\"}").post("/api/embed").then()
                .statusCode(400);
        given().body("{\"input\":\"a\"}").post("/api/embed").then().statusCode(400)
                .body("error", equalTo("model is required"));
        given().post("/api/embed").then().statusCode(400).body("error", equalTo("missing request body"));
    }

    @Test
    void errorsInOpenAisShape() {
        given().body("{\"model\":\"nope\",\"input\":\"hi\"}").post("/v1/embeddings").then().statusCode(404)
                .body("error.message", equalTo("model 'nope' not found"))
                .body("error.type", equalTo("not_found_error"))
                .body("error.param", nullValue()).body("error.code", nullValue());
        Map<String, String> bad = Map.of(
                "{\"model\":\"toy\",\"input\":[]}", "invalid input",
                "{\"model\":\"toy\"}", "invalid input",
                "{\"model\":\"toy\",\"input\":[[1,2,3]]}", "invalid input type",
                "{\"model\":\"toy\",\"input\":\"a\",\"encoding_format\":\"int8\"}",
                "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].");
        bad.forEach((body, message) -> given().body(body).post("/v1/embeddings").then().statusCode(400)
                .body("error.message", equalTo(message)).body("error.type", equalTo("invalid_request_error")));
        given().body("{\"model\":").post("/v1/embeddings").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void aModelChatsThenEmbedsThenChatsAgain() {
        String chat = """
                {"model":"toy","stream":false,"options":{"temperature":0,"num_predict":8},
                 "messages":[{"role":"user","content":"Hello there"}]}""";
        String before = given().body(chat).post("/api/chat").then().statusCode(200).extract().jsonPath()
                .getString("message.content");
        float[] v = vector(embed("{\"model\":\"toy\",\"input\":\"Hello there\"}"), "embeddings[0]");
        assertEquals(1.0, norm(v), 1e-4);
        String after = given().body(chat).post("/api/chat").then().statusCode(200).extract().jsonPath()
                .getString("message.content");
        assertEquals(before, after);
        assertFalse(after.isEmpty());
    }
}
