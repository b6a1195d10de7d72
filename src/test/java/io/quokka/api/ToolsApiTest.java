package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
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
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tools and thinking on the real engine. Random weights write gibberish, so a tool call is forced with {@code format}:
 * a JSON schema whose only valid output is the call {@code toy}'s template (llama3.1-style bare JSON) reads. Thinking
 * runs on {@code thinker}, whose prompt opens the thinking when the request thinks, so everything it writes is
 * thinking.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // toy's tests, then thinker's: one model switch
class ToolsApiTest {
    /** A weather tool, as clients send it. */
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string","description":"The city"}},
              "required":["city"]}}}]""";
    /** The only output it allows is a call of get_weather for Perth. */
    static final String CALL_SCHEMA = """
            {"type":"object","properties":{"name":{"enum":["get_weather"]},
             "arguments":{"type":"object","properties":{"city":{"enum":["Perth"]}},"required":["city"]}},
             "required":["name","arguments"]}""";
    static final String FEW = "{\"temperature\":0,\"seed\":42,\"num_predict\":64}";
    static final String FEWER = "{\"temperature\":0,\"seed\":42,\"num_predict\":6}";

    @TestHTTPResource("/")
    URI base;

    /** A chat; a forced call needs some 60 tokens, anything else a few. */
    static String chat(String model, String messages, String extra) {
        return """
                {"model":"%s","stream":false,"options":%s,"messages":%s%s}""".formatted(model,
                extra.contains("\"format\"") ? FEW : FEWER, messages, extra);
    }

    static final String ASK = "[{\"role\":\"user\",\"content\":\"Weather in Perth?\"}]";

    @Test
    @Order(1)
    void capabilitiesFollowTheTemplate() {
        given().body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200)
                .body("capabilities", hasItems("completion", "tools")).body("capabilities", not(hasItems("thinking")));
        given().body("{\"model\":\"thinker\"}").post("/api/show").then().statusCode(200)
                .body("capabilities", hasItems("completion", "tools", "thinking"));
        given().body("{\"model\":\"plain/q4:small\"}").post("/api/show").then().statusCode(200)
                .body("capabilities", equalTo(List.of("completion")));
    }

    @Test
    @Order(2)
    void aForcedCallIsParsedIntoToolCalls() {
        JsonPath r = given().body(chat("toy", ASK, ",\"tools\":" + TOOLS + ",\"format\":" + CALL_SCHEMA))
                .post("/api/chat").then().statusCode(200).extract().jsonPath();
        assertEquals("", r.getString("message.content"), r.prettify());
        assertEquals("get_weather", r.getString("message.tool_calls[0].function.name"));
        assertEquals(Map.of("city", "Perth"), r.getMap("message.tool_calls[0].function.arguments"));
        assertEquals(0, r.getInt("message.tool_calls[0].function.index"));
        assertTrue(r.getString("message.tool_calls[0].id").matches("call_[a-z0-9]{8}"), r.prettify());
        assertEquals(1, r.getList("message.tool_calls").size());
        assertEquals("stop", r.getString("done_reason"));
        // The same output without tools is just content.
        String plain = given().body(chat("toy", ASK, ",\"format\":" + CALL_SCHEMA)).post("/api/chat").then()
                .statusCode(200).extract().jsonPath().getString("message.content");
        assertTrue(plain.contains("get_weather") && plain.contains("Perth"), plain);
    }

    @Test
    @Order(3)
    void aStreamedCallArrivesWholeAndNeverAsContent() {
        String body = chat("toy", ASK, ",\"tools\":" + TOOLS + ",\"format\":" + CALL_SCHEMA).replace("\"stream\":false",
                "\"stream\":true");
        NdjsonClient.Stream s = NdjsonClient.post(base, "/api/chat", body);
        List<JsonNode> calls = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        JsonNode last = null;
        while (s.hasNext()) {
            last = s.next();
            content.append(last.path("message").path("content").asText());
            last.path("message").path("tool_calls").forEach(calls::add);
        }
        assertEquals("", content.toString());
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("get_weather", calls.getFirst().path("function").path("name").asText());
        assertEquals("Perth", calls.getFirst().path("function").path("arguments").path("city").asText());
        assertTrue(last.path("done").asBoolean());
    }

    @Test
    @Order(4)
    void theToolResultGoesBackThroughTheTemplate() {
        String withTools = chat("toy", ASK, ",\"tools\":" + TOOLS);
        String without = chat("toy", ASK, "");
        int toolsPrompt = given().body(withTools).post("/api/chat").then().statusCode(200).extract().path("prompt_eval_count");
        int plainPrompt = given().body(without).post("/api/chat").then().statusCode(200).extract().path("prompt_eval_count");
        assertTrue(toolsPrompt > plainPrompt + 20, toolsPrompt + " vs " + plainPrompt); // the definitions are in it
        String roundTrip = """
                [{"role":"user","content":"Weather in Perth?"},
                 {"role":"assistant","content":"","tool_calls":[{"id":"call_abc12345","function":{"index":0,
                   "name":"get_weather","arguments":{"city":"Perth"}}}]},
                 {"role":"tool","tool_name":"get_weather","tool_call_id":"call_abc12345","content":"Sunny, 25 C"}]""";
        JsonPath r = given().body(chat("toy", roundTrip, ",\"tools\":" + TOOLS)).post("/api/chat").then()
                .statusCode(200).extract().jsonPath();
        assertTrue(r.getInt("prompt_eval_count") > toolsPrompt, r.prettify());
        assertEquals("assistant", r.getString("message.role"));
        // Tool calls with arguments that are not an object are a 400, as Go's decoder has it.
        given().body(chat("toy", "[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"x\"}}]}]", ""))
                .post("/api/chat").then().statusCode(400);
    }

    @Test
    @Order(5)
    void toolsNeedATemplateThatShowsThem() {
        given().body(chat("plain/q4:small", ASK, ",\"tools\":" + TOOLS)).post("/api/chat").then().statusCode(400)
                .body("error", equalTo("registry.ollama.ai/plain/q4:small does not support tools"));
        given().body(chat("toy", ASK, ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":3}}]"))
                .post("/api/chat").then().statusCode(400);
    }

    @Test
    @Order(7)
    void thinkingIsSeparated() {
        JsonPath r = given().body(chat("thinker", ASK, "")).post("/api/chat").then().statusCode(200).extract().jsonPath();
        assertFalse(r.getString("message.thinking").isEmpty(), r.prettify()); // think defaults to true for it
        assertEquals("", r.getString("message.content"), r.prettify());
        JsonPath off = given().body(chat("thinker", ASK, ",\"think\":false")).post("/api/chat").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(null, off.getString("message.thinking"), off.prettify());
        assertFalse(off.getString("message.content").isEmpty(), off.prettify());
        for (String level : List.of("\"high\"", "true")) {
            given().body(chat("thinker", ASK, ",\"think\":" + level)).post("/api/chat").then().statusCode(200)
                    .body("message.content", equalTo(""));
        }
        JsonPath g = given().body("{\"model\":\"thinker\",\"prompt\":\"Hi\",\"stream\":false,\"options\":" + FEWER + "}")
                .post("/api/generate").then().statusCode(200).extract().jsonPath();
        assertFalse(g.getString("thinking").isEmpty(), g.prettify());
        assertEquals("", g.getString("response"));
    }

    @Test
    @Order(8)
    void streamedThinkingComesInPieces() {
        NdjsonClient.Stream s = NdjsonClient.post(base, "/api/chat", chat("thinker", ASK, "").replace("\"stream\":false",
                "\"stream\":true"));
        int pieces = 0;
        StringBuilder content = new StringBuilder();
        while (s.hasNext()) {
            JsonNode line = s.next();
            if (!line.path("message").path("thinking").asText().isEmpty()) pieces++;
            content.append(line.path("message").path("content").asText());
        }
        assertTrue(pieces >= 2, pieces + " thinking pieces"); // 6 tokens
        assertEquals("", content.toString());
    }

    @Test
    @Order(6)
    void thinkingNeedsAThinkingTemplate() {
        given().body(chat("toy", ASK, ",\"think\":true")).post("/api/chat").then().statusCode(400)
                .body("error", equalTo("\"toy\" does not support thinking"));
        given().body("{\"model\":\"plain/q4:small\",\"prompt\":\"hi\",\"think\":\"high\"}").post("/api/generate").then()
                .statusCode(400).body("error", equalTo("\"plain/q4:small\" does not support thinking"));
        given().body(chat("toy", ASK, ",\"think\":false")).post("/api/chat").then().statusCode(200);
        given().body(chat("toy", ASK, ",\"think\":\"extreme\"")).post("/api/chat").then().statusCode(400)
                .body("error", equalTo("invalid think value: \"extreme\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)"));
        given().body(chat("toy", ASK, ",\"think\":1")).post("/api/chat").then().statusCode(400)
                .body("error", equalTo("think must be a boolean or string (\"high\", \"medium\", \"low\", \"max\", true, or false)"));
    }

    @Test
    @Order(9)
    void theCallTagComesFromTheTemplate() {
        // thinker's template calls tools with <tool_call>: a bare JSON object is its content, not a call.
        JsonPath r = given().body(chat("thinker", ASK, ",\"think\":false,\"tools\":" + TOOLS + ",\"format\":" + CALL_SCHEMA))
                .post("/api/chat").then().statusCode(200).extract().jsonPath();
        assertTrue(r.getString("message.content").contains("\"get_weather\""), r.prettify());
        assertEquals(null, (Object) r.get("message.tool_calls"));
    }
}
