package io.quokka.api.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.TestStore;
import io.quokka.api.TextChunkTemplate;
import io.quokka.generation.Reply;
import jakarta.inject.Inject;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code /v1} endpoints by hand-written HTTP, against the native endpoints they translate to. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OpenAiApiTest {
    @TestHTTPResource("/")
    URI base;

    static final String MESSAGES = """
            [{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"},
             {"role":"assistant","content":"Hi!"},{"role":"user","content":"How are you?"}]""";

    static String chat(String model, int maxTokens, String extra) {
        return """
                {"model":"%s","temperature":0,"max_tokens":%d,"messages":%s%s}""".formatted(model, maxTokens, MESSAGES, extra);
    }

    /** The native request the OpenAI one translates to: greedy, top_p 1 (OpenAI's default). */
    static JsonPath nativeChat(String model, int numPredict) {
        return given().body("""
                {"model":"%s","stream":false,"options":{"temperature":0,"top_p":1.0,"num_predict":%d},"messages":%s}"""
                .formatted(model, numPredict, MESSAGES)).post("/api/chat").then().statusCode(200).extract().jsonPath();
    }

    @Inject
    ObjectMapper mapper;

    /** The server's own mapper lets the chat stream's text events come from a template (ChatShapeTextEventTest). */
    @Test
    void theServersMapperGetsATemplateForChatTextEvents() {
        ChatShape shape = new ChatShape("toy", false);
        shape.piece(Reply.content("role chunk"));
        assertNotNull(TextChunkTemplate.of(mapper, (time, text) -> shape.textEvent(text)));
    }

    @Test
    void chatCompletionMatchesTheNativeChat() {
        JsonPath r = given().contentType("application/json").body(chat("toy", 7, "")).post("/v1/chat/completions")
                .then().statusCode(200)
                .header("Content-Type", containsString("application/json"))
                .body("id", startsWith("chatcmpl-"))
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("toy"))
                .body("system_fingerprint", equalTo("fp_ollama"))
                .body("choices.size()", equalTo(1))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(7))
                .extract().jsonPath();
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(r.getLong("created") - now) < 60, "created is Unix seconds");
        JsonPath n = nativeChat("toy", 7);
        assertEquals(n.getInt("prompt_eval_count"), r.getInt("usage.prompt_tokens"));
        assertEquals(n.getInt("eval_count"), r.getInt("usage.completion_tokens"));
        assertEquals(r.getInt("usage.prompt_tokens") + 7, r.getInt("usage.total_tokens"));
        assertEquals(n.getString("message.content"), r.getString("choices[0].message.content"));
    }

    @Test
    void streamedChatCompletionIsServerSentEventsEndingWithDone() {
        SseClient.Stream s = SseClient.post(base, "v1/chat/completions",
                chat("plain/q4:small", 9, ",\"stream\":true"));
        assertEquals(200, s.response().statusCode());
        assertTrue(s.contentType().startsWith("text/event-stream"), s.contentType());
        List<String> events = s.rest();
        assertEquals("[DONE]", events.getLast());
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(SseClient::parse).toList();
        String id = chunks.getFirst().get("id").asText();
        assertTrue(id.startsWith("chatcmpl-"), id);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode c = chunks.get(i);
            assertEquals(id, c.get("id").asText());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals("plain/q4:small", c.get("model").asText());
            assertEquals("fp_ollama", c.get("system_fingerprint").asText());
            assertEquals(chunks.getFirst().get("created").asLong(), c.get("created").asLong());
            assertFalse(c.has("usage"), "no usage without stream_options.include_usage");
            JsonNode choice = c.get("choices").get(0);
            assertEquals(0, choice.get("index").asInt());
            assertEquals(i == 0, choice.get("delta").has("role"), "the role is in the first chunk only");
            if (i < chunks.size() - 1) {
                assertTrue(choice.get("finish_reason").isNull());
                text.append(choice.get("delta").get("content").asText());
            }
        }
        JsonNode finish = chunks.getLast().get("choices").get(0);
        assertEquals("length", finish.get("finish_reason").asText());
        assertEquals(0, finish.get("delta").size(), "the finish chunk's delta is empty");
        assertEquals(nativeChat("plain/q4:small", 9).getString("message.content"), text.toString());
    }

    @Test
    void includeUsageAddsAUsageChunkWithNoChoices() {
        SseClient.Stream s = SseClient.post(base, "v1/chat/completions",
                chat("toy", 5, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        List<String> events = s.rest();
        assertEquals("[DONE]", events.getLast());
        JsonNode usage = SseClient.parse(events.get(events.size() - 2));
        assertEquals(0, usage.get("choices").size());
        JsonPath n = nativeChat("toy", 5);
        assertEquals(n.getInt("prompt_eval_count"), usage.get("usage").get("prompt_tokens").asInt());
        assertEquals(5, usage.get("usage").get("completion_tokens").asInt());
        assertEquals(n.getInt("prompt_eval_count") + 5, usage.get("usage").get("total_tokens").asInt());
        JsonNode finish = SseClient.parse(events.get(events.size() - 3));
        assertEquals("length", finish.get("choices").get(0).get("finish_reason").asText());
        assertFalse(finish.has("usage"));
    }

    @Test
    void aStopStringFinishesWithStop() {
        String whole = given().body(chat("toy", 12, "")).post("/v1/chat/completions").then().statusCode(200)
                .extract().jsonPath().getString("choices[0].message.content");
        String stop = whole.substring(whole.length() / 2, whole.length() / 2 + 1);
        JsonPath r = given().body(chat("toy", 12, ",\"stop\":[\"" + escape(stop) + "\", 7]")).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].finish_reason", equalTo("stop")).extract().jsonPath();
        String content = r.getString("choices[0].message.content");
        assertTrue(content.length() < whole.length() && !content.contains(stop), content + " / " + whole);
        assertTrue(r.getInt("usage.completion_tokens") < 12);
        // A single string works as well.
        given().body(chat("toy", 12, ",\"stop\":\"" + escape(stop) + "\"")).post("/v1/chat/completions").then()
                .statusCode(200).body("choices[0].finish_reason", equalTo("stop"))
                .body("choices[0].message.content", equalTo(content));
    }

    @Test
    void maxCompletionTokensIsMaxTokens() {
        given().body("""
                {"model":"toy","max_completion_tokens":3,"messages":[{"role":"user","content":"hi"}]}""")
                .post("/v1/chat/completions").then().statusCode(200).body("usage.completion_tokens", equalTo(3))
                .body("choices[0].finish_reason", equalTo("length"));
    }

    @Test
    void contentPartsAreTextMessages() {
        String parts = """
                {"model":"toy","temperature":0,"max_tokens":4,"seed":42,"top_p":0.9,"frequency_penalty":0.5,
                 "presence_penalty":0.5,"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
                 "tool_choice":"auto","user":"u","n":1,
                 "messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]}""";
        String plain = parts.replace("[{\"type\":\"text\",\"text\":\"Hello\"}]", "\"Hello\"");
        JsonPath a = given().body(parts).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        JsonPath b = given().body(plain).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        assertEquals(b.getInt("usage.prompt_tokens"), a.getInt("usage.prompt_tokens"));
        assertEquals(b.getString("choices[0].message.content"), a.getString("choices[0].message.content"));
    }

    @Test
    void jsonResponseFormatsAreAccepted() {
        String content = given().body("""
                {"model":"toy","max_tokens":12,"temperature":0,"response_format":{"type":"json_object"},
                 "messages":[{"role":"user","content":"JSON please"}]}""").post("/v1/chat/completions").then()
                .statusCode(200).extract().jsonPath().getString("choices[0].message.content");
        assertTrue(content.startsWith("{"), content);
        given().body("""
                {"model":"toy","max_tokens":12,"temperature":0,"response_format":{"type":"json_schema",
                 "json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":"string"}}}}},
                 "messages":[{"role":"user","content":"JSON please"}]}""").post("/v1/chat/completions").then()
                .statusCode(200).body("choices[0].message.content", startsWith("{"));
    }

    @Test
    void completionMatchesTheNativeGenerate() {
        JsonPath r = given().body("""
                {"model":"toy","prompt":"Once upon a time","max_tokens":6,"temperature":0,"seed":1}""")
                .post("/v1/completions").then().statusCode(200)
                .body("id", startsWith("cmpl-"))
                .body("object", equalTo("text_completion"))
                .body("model", equalTo("toy"))
                .body("system_fingerprint", equalTo("fp_ollama"))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(6))
                .extract().jsonPath();
        JsonPath n = given().body("""
                {"model":"toy","prompt":"Once upon a time","stream":false,
                 "options":{"num_predict":6,"temperature":0,"top_p":1.0}}""").post("/api/generate").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(n.getString("response"), r.getString("choices[0].text"));
        assertEquals(n.getInt("prompt_eval_count"), r.getInt("usage.prompt_tokens"));
        assertEquals(n.getInt("prompt_eval_count") + 6, r.getInt("usage.total_tokens"));
    }

    @Test
    void streamedCompletionCarriesZeroUsageUntilTheUsageChunk() {
        String body = """
                {"model":"toy","prompt":"Once upon a time","max_tokens":6,"temperature":0,"stream":true,
                 "stream_options":{"include_usage":true}}""";
        SseClient.Stream s = SseClient.post(base, "v1/completions", body);
        assertTrue(s.contentType().startsWith("text/event-stream"), s.contentType());
        List<String> events = s.rest();
        assertEquals("[DONE]", events.getLast());
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(SseClient::parse).toList();
        JsonNode usage = chunks.getLast();
        assertEquals(0, usage.get("choices").size());
        assertEquals(6, usage.get("usage").get("completion_tokens").asInt());
        JsonNode finish = chunks.get(chunks.size() - 2).get("choices").get(0);
        assertEquals("length", finish.get("finish_reason").asText());
        assertEquals("", finish.get("text").asText());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("text_completion", c.get("object").asText());
            assertEquals(0, c.get("usage").get("total_tokens").asInt());
            text.append(c.get("choices").get(0).get("text").asText());
        }
        String whole = given().body(body.replace("\"stream\":true", "\"stream\":false")).post("/v1/completions")
                .then().statusCode(200).extract().jsonPath().getString("choices[0].text");
        assertEquals(whole, text.toString());
    }

    @Test
    void anEmptyPromptOnlyLoadsTheModel() {
        given().body("{\"model\":\"toy\"}").post("/v1/completions").then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("load")).body("choices[0].text", equalTo(""))
                .body("usage.total_tokens", equalTo(0));
    }

    @Test
    void modelsAreListedAndRetrieved() {
        JsonPath list = given().get("/v1/models").then().statusCode(200).body("object", equalTo("list"))
                .extract().jsonPath();
        List<Map<String, Object>> data = list.getList("data");
        assertEquals(List.of("broken:latest", "plain/q4:small", "thinker:latest", "toy:latest").stream().sorted().toList(),
                data.stream().map(m -> (String) m.get("id")).filter(id -> !id.equals("big:latest")).sorted().toList(),
                "the test store's models (and big:latest, which HealthApiTest may have added)");
        for (Map<String, Object> m : data) {
            assertEquals("model", m.get("object"));
            assertEquals(m.get("id").equals("plain/q4:small") ? "plain" : "library", m.get("owned_by"));
        }
        JsonPath tags = given().get("/api/tags").then().extract().jsonPath();
        String modified = tags.getString("models.find { it.name == 'toy:latest' }.modified_at");
        long created = java.time.OffsetDateTime.parse(modified).toEpochSecond();
        assertEquals(created, list.getLong("data.find { it.id == 'toy:latest' }.created"));

        given().get("/v1/models/toy").then().statusCode(200).body("id", equalTo("toy"))
                .body("object", equalTo("model")).body("owned_by", equalTo("library"))
                .body("created", equalTo((int) created));
        given().get("/v1/models/plain/q4:small").then().statusCode(200).body("id", equalTo("plain/q4:small"))
                .body("owned_by", equalTo("plain"));
        given().get("/v1/models/nope").then().statusCode(404)
                .body("error.message", equalTo("model 'nope' not found"))
                .body("error.type", equalTo("not_found_error"))
                .body("error.param", nullValue()).body("error.code", nullValue());
    }

    @Test
    void errorsAreInOpenAisShape() {
        error(given().body("{\"model\":\"toy\",").post("/v1/chat/completions"), 400, "invalid_request_error")
                .body("error.message", startsWith("invalid JSON"));
        error(given().post("/v1/chat/completions"), 400, "invalid_request_error")
                .body("error.message", equalTo("missing request body"));
        error(given().body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").post("/v1/chat/completions"),
                400, "invalid_request_error").body("error.message", equalTo("model is required"));
        error(given().body("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions"), 404, "not_found_error")
                .body("error.message", equalTo("model 'nope' not found"));
        error(given().body("{\"model\":\"toy\",\"messages\":[]}").post("/v1/chat/completions"), 400,
                "invalid_request_error").body("error.message", equalTo("[] is too short - 'messages'"));
        error(given().body("{\"model\":\"toy\",\"max_tokens\":\"5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions"), 400, "invalid_request_error")
                .body("error.message", containsString("max_tokens"));
        error(given().body("{\"model\":\"toy\",\"messages\":[{\"role\":\"user\"}]}").post("/v1/chat/completions"),
                400, "invalid_request_error").body("error.message", equalTo("invalid message content type: <nil>"));
        error(given().body("{\"model\":\"toy\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions"), 400, "invalid_request_error").body("error.param", equalTo("n"))
                .body("error.message", containsString("n = 2 is not supported"));
        error(given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"echo\":true}").post("/v1/completions"), 400,
                "invalid_request_error").body("error.param", equalTo("echo"));
        error(given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"stop\":[\"a\",1]}").post("/v1/completions"), 400,
                "invalid_request_error").body("error.message", equalTo("invalid type for 'stop' field: float64"));
        error(given().body("{\"model\":\"toy\",\"prompt\":[\"a\"]}").post("/v1/completions"), 400,
                "invalid_request_error");
        error(given().body("{\"model\":\"broken\",\"prompt\":\"hi\"}").post("/v1/completions"), 500, "api_error");
        error(given().body("{\"model\":\"nope\",\"prompt\":\"hi\",\"stream\":true}").post("/v1/completions"), 404,
                "not_found_error");
    }

    @Test
    void imagesNeedAVisionModel() {
        String png = "data:image/png;base64,iVBORw0KGgo=";
        error(given().body("""
                {"model":"toy","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
                 {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(png)).post("/v1/chat/completions"),
                400, "invalid_request_error")
                .body("error.message", equalTo("registry.ollama.ai/library/toy:latest does not support vision"));
        error(given().body("""
                {"model":"toy","messages":[{"role":"user","content":[{"type":"image_url","image_url":"https://x/y.png"}]}]}""")
                .post("/v1/chat/completions"), 400, "invalid_request_error").body("error.message",
                equalTo("image URLs are not currently supported, please use base64 encoded data instead"));
        error(given().body("""
                {"model":"toy","messages":[{"role":"user","content":[{"type":"video","video":"x"}]}]}""")
                .post("/v1/chat/completions"), 400, "invalid_request_error")
                .body("error.message", equalTo("invalid message format"));
    }

    @Test
    void aRunnerKilledMidStreamEndsTheStreamWithAnErrorEvent() {
        String endless = """
                {"model":"toy","stream":true,"max_tokens":1000000,"messages":[{"role":"user","content":"Go on"}]}""";
        SseClient.Stream s = SseClient.post(base, "v1/chat/completions", endless);
        assertEquals(200, s.response().statusCode());
        for (int i = 0; i < 5; i++) assertFalse(s.nextData().equals("[DONE]"));
        List<ProcessHandle> runners = ProcessHandle.current().descendants().filter(p -> {
            try {
                String cmdline = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", p.pid() + "", "cmdline"));
                return List.of(cmdline.split("\0")).contains("runner");
            } catch (java.io.IOException e) {
                return false;
            }
        }).toList();
        assertEquals(1, runners.size());
        runners.getFirst().destroyForcibly();
        List<String> rest = s.rest();
        JsonNode last = SseClient.parse(rest.getLast());
        assertTrue(last.has("error"), "the stream ends with an error event, no [DONE]: " + rest.getLast());
        assertEquals("api_error", last.get("error").get("type").asText());
        assertTrue(last.get("error").get("message").asText().contains("llama runner process has terminated"),
                last.toString());
        assertNull(rest.stream().filter("[DONE]"::equals).findAny().orElse(null));
    }

    private static io.restassured.response.ValidatableResponse error(io.restassured.response.Response r, int status,
                                                                   String type) {
        return r.then().statusCode(status).header("Content-Type", containsString("application/json"))
                .body("error.type", equalTo(type)).body("error.message", org.hamcrest.Matchers.notNullValue());
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
