package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.fallback.UpstreamStub;
import io.restassured.response.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback chains end to end on the real engine, with a loopback upstream ({@link FallbackUpstreams}): each trigger
 * (memory refusal, a load llama.cpp rejects, a runner killed mid-load, a runner that dies before its first token),
 * local and upstream alternatives on the native and OpenAI endpoints, streamed and not, the header, the {@code model}
 * field, the opt-out, the metrics, the access log, and the API key never logged. A full queue ({@code on-busy}) is
 * shown with fake models in {@code FallbackRouterTest}.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@QuarkusTestResource(FallbackUpstreams.class)
class FallbackApiTest {
    @TestHTTPResource("/")
    URI base;

    final List<String> logs = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            logs.add(record.getLoggerName() + " " + message + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLogs() {
        java.util.logging.Logger.getLogger("").addHandler(capture);
        FallbackUpstreams.stub.reset();
    }

    @AfterEach
    void keyNeverLogged() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        for (String line : logs) assertFalse(line.contains(UpstreamStub.KEY), "the API key was logged: " + line);
    }

    @AfterAll
    static void uninstall() {
        FallbackModels.uninstallAll();
    }

    static String chat(String model, String content, boolean stream) {
        return """
                {"model":"%s","messages":[{"role":"user","content":"%s"}],"stream":%s,"options":{"num_predict":3}}"""
                .formatted(model, content, stream);
    }

    static String generate(String model, boolean stream) {
        return """
                {"model":"%s","prompt":"Hello","stream":%s,"options":{"num_predict":3}}""".formatted(model, stream);
    }

    static String v1(String model, boolean stream) {
        return """
                {"model":"%s","messages":[{"role":"user","content":"Hi"}],"stream":%s,"max_tokens":3}"""
                .formatted(model, stream);
    }

    static double fallbacks(String from, String to, String reason) {
        return Prometheus.value(Prometheus.scrape(), "quokka_fallbacks_total",
                Map.of("from", from, "to", to, "reason", reason));
    }

    private List<String> accessLines() {
        return logs.stream().filter(l -> l.startsWith("io.quokka.access ")).toList();
    }

    @Test
    void aModelRefusedForMemoryFallsBackToASmallerOneOnEveryEndpoint() {
        FallbackModels.installHuge("giant");
        double before = fallbacks("giant", "toy", "memory");

        given().body(generate("giant", false)).post("/api/generate").then().statusCode(200)
                .header("X-Quokka-Fallback", "toy; reason=memory; from=giant")
                .body("model", equalTo("toy")).body("done", equalTo(true)).body("eval_count", equalTo(3));
        given().body(chat("giant", "Hi", false)).post("/api/chat").then().statusCode(200)
                .header("X-Quokka-Fallback", "toy; reason=memory; from=giant").body("model", equalTo("toy"));
        given().body(v1("giant", false)).post("/v1/chat/completions").then().statusCode(200)
                .header("X-Quokka-Fallback", "toy; reason=memory; from=giant").body("model", equalTo("toy"));

        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/chat", chat("giant", "Hi", true));
        assertEquals(200, stream.response().statusCode());
        JsonNode last = null;
        while (stream.hasNext()) {
            last = stream.next();
            assertEquals("toy", last.get("model").asText(), last.toString());
        }
        assertTrue(last.get("done").asBoolean(), last.toString());

        assertEquals(before + 4, fallbacks("giant", "toy", "memory"));
        assertTrue(accessLines().stream().anyMatch(l -> l.contains("model=toy:latest")
                && l.contains("fallback_from=giant fallback_reason=memory requested_model=giant")), accessLines().toString());
    }

    @Test
    void aClientThatMustHaveTheExactModelOptsOut() {
        FallbackModels.installHuge("giant");
        given().header("X-Quokka-No-Fallback", "true").body(generate("giant", false)).post("/api/generate").then()
                .statusCode(500).body("error", startsWith("model requires more system memory"));
        Response v1 = given().header("X-Quokka-No-Fallback", "true").body(v1("giant", true))
                .post("/v1/chat/completions");
        assertEquals(500, v1.statusCode());
        assertTrue(v1.jsonPath().getString("error.message").startsWith("model requires more system memory"));
        assertEquals(null, v1.header("X-Quokka-Fallback"));
    }

    @Test
    void aHostedOpenAiApiAnswersInTheCallersApi() {
        FallbackModels.installHuge("colossal");
        // the chain's first alternative is not pulled: skipped
        given().body(chat("colossal", "Hi", false)).post("/api/chat").then().statusCode(200)
                .header("X-Quokka-Fallback", "deepseek-chat; reason=unavailable; from=colossal")
                .body("model", equalTo("deepseek-chat")).body("message.content", equalTo("Hello from the upstream"))
                .body("done_reason", equalTo("length")).body("prompt_eval_count", equalTo(9))
                .body("eval_count", equalTo(4));
        assertEquals("Bearer " + UpstreamStub.KEY,
                FallbackUpstreams.stub.authorization.get("/openai/v1/chat/completions"));
        assertEquals(3, FallbackUpstreams.stub.requests.get("/openai/v1/chat/completions").path("max_tokens").asInt());

        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", generate("colossal", true));
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        while (stream.hasNext()) {
            last = stream.next();
            assertEquals("deepseek-chat", last.get("model").asText());
            text.append(last.get("response").asText());
        }
        assertEquals("Hello from the upstream", text.toString());
        assertTrue(last.get("done").asBoolean());

        var sse = NdjsonClient.post(base, "v1/chat/completions", v1("colossal", true));
        assertEquals("deepseek-chat; reason=unavailable; from=colossal",
                sse.response().headers().firstValue("X-Quokka-Fallback").orElse(null));
        List<String> data = new ArrayList<>();
        sse.lines().forEachRemaining(l -> {
            if (l.startsWith("data: ")) data.add(l.substring(6));
        });
        assertEquals("[DONE]", data.getLast());
        List<JsonNode> events = data.subList(0, data.size() - 1).stream().map(NdjsonClient::parse).toList();
        assertTrue(events.stream().allMatch(e -> e.get("model").asText().equals("deepseek-chat")), events.toString());
        assertEquals("Hello from the upstream", events.stream()
                .map(e -> e.path("choices").path(0).path("delta").path("content").asText("")).collect(Collectors.joining()));
        assertTrue(fallbacks("not-pulled", "deepseek-chat", "unavailable") >= 3);
    }

    @Test
    void anOllamaUpstreamIsRelayedAsItArrives() throws Exception {
        FallbackModels.installHuge("mammoth");
        given().body(generate("mammoth", false)).post("/api/generate").then().statusCode(200)
                .header("X-Quokka-Fallback", "llama3.2; reason=memory; from=mammoth")
                .body("model", equalTo("llama3.2")).body("response", equalTo("Hello from the upstream"))
                .body("context", nullValue()); // another model's tokens: none to continue from
        given().body(v1("mammoth", false)).post("/v1/chat/completions").then().statusCode(200)
                .body("model", equalTo("llama3.2"))
                .body("choices[0].message.content", equalTo("Hello from the upstream"))
                .body("usage.prompt_tokens", equalTo(7));

        // The upstream holds its answer after the first word: the client has that word already.
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/chat", chat("mammoth", "WAIT", true));
        var first = CompletableFuture.supplyAsync(() -> {
            while (stream.hasNext()) {
                JsonNode line = stream.next();
                if (!line.path("message").path("content").asText().isEmpty()) return line;
            }
            return null;
        });
        JsonNode line = first.get(10, TimeUnit.SECONDS);
        assertEquals("Hello", line.path("message").path("content").asText());
        assertEquals("llama3.2", line.path("model").asText());
        FallbackUpstreams.stub.release();
        JsonNode last = null;
        while (stream.hasNext()) last = stream.next();
        assertTrue(last.get("done").asBoolean(), String.valueOf(last));
    }

    @Test
    void aClientThatLeavesCancelsTheUpstreamCall() throws Exception {
        FallbackModels.installHuge("mammoth");
        var request = java.net.http.HttpRequest.newBuilder(base.resolve("api/chat"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("mammoth", "FOREVER", true))).build();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()));
            for (int i = 0; i < 3; i++) assertTrue(reader.readLine() != null);
            response.body().close();
            http.shutdownNow();
        }
        assertTrue(FallbackUpstreams.stub.cancelled.await(10, TimeUnit.SECONDS), "the upstream saw the client go");
    }

    @Test
    void anExhaustedChainAnswersWithTheLastErrorInTheCallersShape() {
        FallbackModels.installHuge("doomed");
        given().body(chat("doomed", "Hi", false)).post("/api/chat").then().statusCode(500)
                .body("error", equalTo("upstream m@" + FallbackUpstreams.stub.base()
                        + "/broken answered 500: upstream exploded"));
        given().body(v1("doomed", false)).post("/v1/chat/completions").then().statusCode(500)
                .body("error.message", equalTo("upstream m@" + FallbackUpstreams.stub.base()
                        + "/broken answered 500: upstream exploded"))
                .body("error.type", equalTo("api_error"));
    }

    @Test
    void aLoadLlamaCppRejectsFallsBack() {
        FallbackModels.installDamaged("damaged");
        given().body(generate("damaged", false)).post("/api/generate").then().statusCode(200)
                .header("X-Quokka-Fallback", "toy; reason=load-failed; from=damaged").body("model", equalTo("toy"));
        given().header("X-Quokka-No-Fallback", "true").body(generate("damaged", false)).post("/api/generate").then()
                .statusCode(500);
    }

    @Test
    void aRunnerKilledMidLoadFallsBack() throws Exception {
        FallbackModels.installPlain("fragile");
        given().body(generate("toy", false)).post("/api/generate").then().statusCode(200); // toy resident, fast
        Set<Long> before = RunnerCrashApiTest.runners().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        var answer = CompletableFuture.supplyAsync(() -> given().body(generate("fragile", false)).post("/api/generate"));
        long killed = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (killed < 0 && System.nanoTime() < deadline) {
            for (ProcessHandle runner : RunnerCrashApiTest.runners()) {
                if (!before.contains(runner.pid())) {
                    runner.destroyForcibly();
                    killed = runner.pid();
                }
            }
            Thread.sleep(2);
        }
        assertNotEquals(-1, killed, "a runner for fragile started");
        Response response = answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("toy", response.jsonPath().getString("model"));
        assertEquals("toy; reason=load-failed; from=fragile", response.header("X-Quokka-Fallback"));
    }

    @Test
    void aRunnerThatDiesBeforeTheFirstTokenFallsBack() throws Exception {
        FallbackModels.installPlain("sturdy");
        Set<Long> before = RunnerCrashApiTest.runners().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        given().body("{\"model\":\"sturdy\"}").post("/api/generate").then().statusCode(200); // loaded, no fallback
        ProcessHandle runner = RunnerCrashApiTest.runners().stream().filter(p -> !before.contains(p.pid()))
                .findFirst().orElseThrow();
        double counted = fallbacks("sturdy", "toy", "runner-died");
        // Frozen, the runner takes the request and answers nothing; killed, it dies before its first token.
        assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(runner.pid())).start().waitFor());
        CompletableFuture<Response> answer;
        try {
            answer = CompletableFuture.supplyAsync(() -> given().body(generate("sturdy", false)).post("/api/generate"));
            Thread.sleep(500);
            assertFalse(answer.isDone(), "the frozen runner holds the request");
        } finally {
            runner.destroyForcibly();
        }
        Response response = answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("toy", response.jsonPath().getString("model"));
        assertEquals("toy; reason=runner-died; from=sturdy", response.header("X-Quokka-Fallback"));
        assertEquals(counted + 1, fallbacks("sturdy", "toy", "runner-died"));
    }

    @Test
    void noFallbackOnceTheClientHasText() {
        FallbackModels.installPlain("lively");
        String endless = """
                {"model":"lively","prompt":"Go on","options":{"num_predict":1000000,"num_ctx":256}}""";
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", endless);
        List<JsonNode> lines = new ArrayList<>();
        while (lines.stream().filter(l -> !l.path("response").asText().isEmpty()).count() < 3) lines.add(stream.next());
        RunnerCrashApiTest.runners().forEach(ProcessHandle::destroyForcibly);
        while (stream.hasNext()) lines.add(stream.next());
        JsonNode last = lines.getLast();
        assertTrue(last.has("error"), "the stream ends with the runner's error: " + last);
        assertTrue(lines.stream().filter(l -> l.has("model")).allMatch(l -> l.get("model").asText().equals("lively")));
        assertTrue(FallbackUpstreams.stub.requests.get("/ollama/api/generate") == null
                || !FallbackUpstreams.stub.requests.get("/ollama/api/generate").path("prompt").asText().equals("Go on"),
                "the upstream was never asked");
    }
}
