package io.quokka.api.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.TestStore;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/chat/completions} with tools and reasoning on the real engine, as the OpenAI SDKs read them: a call
 * (forced by a {@code json_schema} response format, see {@code ToolsApiTest}) comes back as {@code tool_calls} with
 * an id, {@code type: "function"} and its arguments as JSON text, finish reason {@code tool_calls}; streamed, as a
 * delta with {@code index}; the tool's answer goes back as a {@code tool} message with {@code tool_call_id}.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OpenAiToolsApiTest {
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"The weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    static final String FORCE_CALL = """
            {"type":"json_schema","json_schema":{"name":"call","schema":{"type":"object","properties":{
             "name":{"enum":["get_weather"]},"arguments":{"type":"object","properties":{"city":{"enum":["Perth"]}},
             "required":["city"]}},"required":["name","arguments"]}}}""";

    @TestHTTPResource("/")
    URI base;

    static String request(String model, String messages, String extra) {
        return """
                {"model":"%s","temperature":0,"seed":42,"max_tokens":%d,"messages":%s%s}"""
                .formatted(model, extra.contains("response_format") ? 64 : 6, messages, extra);
    }

    static final String ASK = "[{\"role\":\"user\",\"content\":\"Weather in Perth?\"}]";

    @Test
    void aCallComesBackAsToolCalls() {
        JsonPath r = given().body(request("toy", ASK, ",\"tools\":" + TOOLS + ",\"tool_choice\":\"auto\",\"response_format\":"
                + FORCE_CALL)).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        assertEquals("tool_calls", r.getString("choices[0].finish_reason"), r.prettify());
        assertEquals("", r.getString("choices[0].message.content"));
        assertEquals("function", r.getString("choices[0].message.tool_calls[0].type"));
        assertEquals(0, r.getInt("choices[0].message.tool_calls[0].index"));
        assertEquals("get_weather", r.getString("choices[0].message.tool_calls[0].function.name"));
        assertEquals("{\"city\":\"Perth\"}", r.getString("choices[0].message.tool_calls[0].function.arguments"));
        String id = r.getString("choices[0].message.tool_calls[0].id");
        assertTrue(id.matches("call_[a-z0-9]{8}"), id);

        // The result goes back: the assistant's call, then a tool message naming the call.
        String roundTrip = """
                [{"role":"user","content":"Weather in Perth?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"%s","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Perth\\"}"}}]},
                 {"role":"tool","tool_call_id":"%s","content":"Sunny, 25 C"}]""".formatted(id, id);
        JsonPath answer = given().body(request("toy", roundTrip, ",\"tools\":" + TOOLS)).post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath();
        assertTrue(answer.getInt("usage.prompt_tokens") > r.getInt("usage.prompt_tokens"), answer.prettify());
        assertEquals("length", answer.getString("choices[0].finish_reason"));
        given().body(request("toy", "[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"x\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"not json\"}}]}]", "")).post("/v1/chat/completions").then()
                .statusCode(400).body("error.message", equalTo("invalid tool call arguments"));
    }

    @Test
    void aStreamedCallIsOneDeltaWithItsIndex() {
        SseClient.Stream s = SseClient.post(base, "/v1/chat/completions", request("toy", ASK, ",\"stream\":true,"
                + "\"tools\":" + TOOLS + ",\"response_format\":" + FORCE_CALL));
        List<String> events = s.rest();
        assertEquals("[DONE]", events.getLast());
        List<JsonNode> calls = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        String finish = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode choice = SseClient.parse(e).path("choices").path(0);
            choice.path("delta").path("tool_calls").forEach(calls::add);
            content.append(choice.path("delta").path("content").asText(""));
            if (!choice.path("finish_reason").isNull()) finish = choice.path("finish_reason").asText();
        }
        assertEquals("", content.toString());
        assertEquals(1, calls.size(), events.toString());
        assertEquals(0, calls.getFirst().path("index").asInt());
        assertEquals("function", calls.getFirst().path("type").asText());
        assertEquals("{\"city\":\"Perth\"}", calls.getFirst().path("function").path("arguments").asText());
        assertEquals("tool_calls", finish);
    }

    @Test
    void reasoningComesBackAndEffortControlsIt() {
        JsonPath r = given().body(request("thinker", ASK, "")).post("/v1/chat/completions").then().statusCode(200)
                .extract().jsonPath();
        assertFalse(r.getString("choices[0].message.reasoning").isEmpty(), r.prettify());
        assertEquals("", r.getString("choices[0].message.content"));
        JsonPath none = given().body(request("thinker", ASK, ",\"reasoning_effort\":\"none\"")).post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(null, none.getString("choices[0].message.reasoning"), none.prettify());
        assertFalse(none.getString("choices[0].message.content").isEmpty());
        given().body(request("thinker", ASK, ",\"reasoning\":{\"effort\":\"xhigh\"}")).post("/v1/chat/completions").then()
                .statusCode(200);
        given().body(request("thinker", ASK, ",\"reasoning_effort\":\"bogus\"")).post("/v1/chat/completions").then()
                .statusCode(400).body("error.type", equalTo("invalid_request_error"))
                .body("error.message", equalTo("invalid reasoning value: \"bogus\" (must be \"minimal\", \"low\", "
                        + "\"medium\", \"high\", \"xhigh\", \"ultra\", \"max\", or \"none\")"));
        given().body(request("toy", ASK, ",\"reasoning_effort\":\"high\"")).post("/v1/chat/completions").then()
                .statusCode(400).body("error.message", equalTo("\"toy\" does not support thinking"));
        given().body(request("toy", ASK, ",\"reasoning_effort\":\"none\"")).post("/v1/chat/completions").then()
                .statusCode(200);
    }

    @Test
    void streamedReasoningArrivesAsReasoningDeltas() {
        SseClient.Stream s = SseClient.post(base, "/v1/chat/completions", request("thinker", ASK, ",\"stream\":true"));
        List<String> events = s.rest();
        StringBuilder reasoning = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            reasoning.append(SseClient.parse(e).path("choices").path(0).path("delta").path("reasoning").asText(""));
        }
        assertFalse(reasoning.isEmpty(), events.toString());
    }
}
