package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
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

/** {@code /api/chat} on the real engine, through both template paths. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class ChatApiTest {
    @TestHTTPResource("/")
    URI base;

    static String chat(String model, boolean stream, int numPredict) {
        return """
                {"model":"%s","stream":%s,"options":{"temperature":0,"num_predict":%d},
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"},
                             {"role":"assistant","content":"Hi!"},{"role":"user","content":"How are you?"}]}"""
                .formatted(model, stream, numPredict);
    }

    @Test
    void nonStreamedChatThroughTheOllamaTemplateLayer() {
        JsonPath r = given().body(chat("toy", false, 9)).post("/api/chat").then().statusCode(200)
                .header("Content-Type", containsString("application/json"))
                .body("model", equalTo("toy"))
                .body("message.role", equalTo("assistant"))
                .body("done", equalTo(true))
                .body("done_reason", equalTo("length"))
                .body("eval_count", equalTo(9))
                .extract().jsonPath();
        assertFalse(r.getString("message.content").isEmpty());
        assertTrue(r.getInt("prompt_eval_count") > 20, "the whole conversation is in the prompt");
        assertFalse(r.getMap("").containsKey("context"), "chat answers carry no context");
    }

    @Test
    void streamedChatThroughLlamaCppsGgufTemplate() {
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/chat", chat("plain/q4:small", true, 15));
        assertEquals(200, stream.response().statusCode());
        assertEquals("application/x-ndjson", stream.contentType());
        List<JsonNode> lines = new ArrayList<>();
        while (stream.hasNext()) lines.add(stream.next());
        JsonNode last = lines.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals(15, last.get("eval_count").asInt());
        assertEquals("assistant", last.get("message").get("role").asText());
        StringBuilder text = new StringBuilder();
        for (JsonNode line : lines.subList(0, lines.size() - 1)) {
            assertEquals("assistant", line.get("message").get("role").asText());
            text.append(line.get("message").get("content").asText());
        }
        String whole = given().body(chat("plain/q4:small", false, 15)).post("/api/chat").then().statusCode(200)
                .extract().jsonPath().getString("message.content");
        assertEquals(whole, text.toString());
    }

    @Test
    void theModelsSystemLayerAppliesUnlessTheChatBringsItsOwn() {
        String withoutSystem = """
                {"model":"plain/q4:small","stream":false,"options":{"temperature":0,"num_predict":1},
                 "messages":[{"role":"user","content":"Hi"}]}""";
        String withSystem = """
                {"model":"plain/q4:small","stream":false,"options":{"temperature":0,"num_predict":1},
                 "messages":[{"role":"system","content":"x"},{"role":"user","content":"Hi"}]}""";
        int a = given().body(withoutSystem).post("/api/chat").then().statusCode(200).extract().jsonPath()
                .getInt("prompt_eval_count");
        int b = given().body(withSystem).post("/api/chat").then().statusCode(200).extract().jsonPath()
                .getInt("prompt_eval_count");
        assertTrue(a > b, "'You are a quokka.' is longer than 'x': " + a + " vs " + b);
    }

    @Test
    void oldMessagesAreDroppedToFitTheContextKeepingSystemAndTheLast() {
        StringBuilder messages = new StringBuilder("{\"role\":\"system\",\"content\":\"Be brief.\"}");
        for (int i = 0; i < 20; i++) {
            messages.append(",{\"role\":\"user\",\"content\":\"").append("tell me more ".repeat(10)).append("\"}");
            messages.append(",{\"role\":\"assistant\",\"content\":\"").append("well ".repeat(10)).append("\"}");
        }
        messages.append(",{\"role\":\"user\",\"content\":\"last question\"}");
        String body = """
                {"model":"toy","stream":false,"options":{"temperature":0,"num_predict":3,"num_ctx":256},"messages":[%s]}"""
                .formatted(messages);
        JsonPath r = given().body(body).post("/api/chat").then().statusCode(200).extract().jsonPath();
        assertEquals(3, r.getInt("eval_count"));
        assertTrue(r.getInt("prompt_eval_count") <= 256, "fits the window: " + r.getInt("prompt_eval_count"));
        assertTrue(r.getInt("prompt_eval_count") > 100, "keeps as many recent messages as fit: " + r.getInt("prompt_eval_count"));
    }

    @Test
    void emptyMessagesLoadAndUnload() {
        given().body("{\"model\":\"toy\",\"messages\":[]}").post("/api/chat").then().statusCode(200)
                .body("done_reason", equalTo("load")).body("message.role", equalTo("assistant"))
                .body("message.content", equalTo(""));
        given().body("{\"model\":\"toy\",\"messages\":[],\"keep_alive\":0}").post("/api/chat").then().statusCode(200)
                .body("done_reason", equalTo("unload"));
    }

    @Test
    void chatErrors() {
        given().body("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").post("/api/chat")
                .then().statusCode(404).body("error", equalTo("model 'nope' not found"));
        given().body("{\"model\":\"toy\",\"messages\":\"hi\"}").post("/api/chat").then().statusCode(400);
        given().body("{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":5}]}").post("/api/chat").then()
                .statusCode(400);
        given().post("/api/chat").then().statusCode(400).body("error", equalTo("missing request body"));
        given().body("{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":\"what?\",\"images\":[\"aGVsbG8=\"]}]}")
                .post("/api/chat").then().statusCode(400)
                .body("error", equalTo("registry.ollama.ai/library/toy:latest does not support vision"));
    }
}
