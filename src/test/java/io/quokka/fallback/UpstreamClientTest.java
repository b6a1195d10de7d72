package io.quokka.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.CancelToken;
import io.quokka.engine.DoneReason;
import io.quokka.fallback.upstream.Upstream;
import io.quokka.fallback.upstream.UpstreamCall;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.GenerationCommand;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream HTTP clients against a loopback stub: translation, relay as it arrives, errors, cancellation. */
class UpstreamClientTest {
    static UpstreamStub stub;
    final UpstreamClient client = new UpstreamClient(
            name -> name.equals("STUB_KEY") ? Optional.of(UpstreamStub.KEY) : Optional.empty());

    @BeforeAll
    static void start() throws Exception {
        stub = new UpstreamStub();
    }

    @AfterAll
    static void stop() {
        stub.close();
    }

    @BeforeEach
    void reset() {
        stub.reset();
    }

    Upstream ollama() {
        return new Upstream(Upstream.Api.OLLAMA, URI.create(stub.base() + "/ollama"), "llama3.2", null,
                Duration.ofSeconds(10));
    }

    Upstream openAi(String keyVariable, Duration timeout) {
        return new Upstream(Upstream.Api.OPENAI, URI.create(stub.base() + "/openai/v1"), "deepseek-chat", keyVariable,
                timeout);
    }

    static GenerationCommand.Chat chat(String content, Map<String, Object> options) {
        return new GenerationCommand.Chat("qwen2.5:3b", List.of(new ChatTurn("user", content)), null, null, options, true);
    }

    @Test
    void anOllamaChatIsRelayedWithTheCallersOptions() {
        List<String> pieces = new CopyOnWriteArrayList<>();
        UpstreamCall.Result result;
        try (UpstreamCall call = client.open(ollama(), chat("Hi", Map.of("num_predict", 4, "temperature", 0.1)),
                new CancelToken())) {
            result = call.relay(pieces::add);
        }
        assertEquals(UpstreamStub.WORDS, pieces);
        assertEquals(DoneReason.STOP, result.doneReason());
        assertEquals(7, result.promptTokens());
        assertEquals(4, result.evalTokens());
        var sent = stub.requests.get("/ollama/api/chat");
        assertEquals("llama3.2", sent.path("model").asText());
        assertEquals(4, sent.path("options").path("num_predict").asInt());
        assertTrue(sent.path("stream").asBoolean());
        assertFalse(stub.authorization.containsKey("/ollama/api/chat"));
    }

    @Test
    void anOllamaGenerateIsRelayed() {
        var generate = new GenerationCommand.Generate("m", "Why?", null, "Be brief", null, new int[] {1, 2}, false,
                "json", null, Map.of(), true);
        List<String> pieces = new CopyOnWriteArrayList<>();
        try (UpstreamCall call = client.open(ollama(), generate, new CancelToken())) {
            call.relay(pieces::add);
        }
        assertEquals(UpstreamStub.WORDS, pieces);
        var sent = stub.requests.get("/ollama/api/generate");
        assertEquals("Why?", sent.path("prompt").asText());
        assertEquals("Be brief", sent.path("system").asText());
        assertEquals("json", sent.path("format").asText());
        assertFalse(sent.has("context"), "another model's tokens are not sent");
    }

    @Test
    void anOpenAiStreamIsTranslatedWithTheKeyAsABearerToken() {
        List<String> pieces = new CopyOnWriteArrayList<>();
        UpstreamCall.Result result;
        try (UpstreamCall call = client.open(openAi("STUB_KEY", Duration.ofSeconds(10)),
                chat("Hi", Map.of("num_predict", 4, "stop", "\n", "seed", 3)), new CancelToken())) {
            result = call.relay(pieces::add);
        }
        assertEquals(UpstreamStub.WORDS, pieces);
        assertEquals(DoneReason.LENGTH, result.doneReason());
        assertEquals(9, result.promptTokens());
        assertEquals(4, result.evalTokens());
        assertEquals("Bearer " + UpstreamStub.KEY, stub.authorization.get("/openai/v1/chat/completions"));
        var sent = stub.requests.get("/openai/v1/chat/completions");
        assertEquals(4, sent.path("max_tokens").asInt());
        assertEquals("\n", sent.path("stop").path(0).asText());
        assertEquals(3, sent.path("seed").asInt());
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean());
        assertFalse(sent.has("num_predict") || sent.has("options"));
    }

    @Test
    void textIsRelayedAsItArrives() throws Exception {
        List<String> pieces = new CopyOnWriteArrayList<>();
        try (UpstreamCall call = client.open(openAi("STUB_KEY", Duration.ofSeconds(10)), chat("WAIT", Map.of()),
                new CancelToken())) {
            var relayed = CompletableFuture.runAsync(() -> call.relay(pieces::add));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pieces.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(List.of("Hello"), pieces, "the first piece before the upstream sent the rest");
            stub.release();
            relayed.get(5, TimeUnit.SECONDS);
        }
        assertEquals(UpstreamStub.WORDS, pieces);
    }

    @Test
    void aClientThatLeavesCancelsTheUpstreamCall() throws Exception {
        CancelToken cancel = new CancelToken();
        List<String> pieces = new CopyOnWriteArrayList<>();
        try (UpstreamCall call = client.open(ollama(), chat("FOREVER", Map.of()), cancel)) {
            var relayed = CompletableFuture.runAsync(() -> call.relay(pieces::add));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pieces.size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            cancel.cancel();
            var e = assertThrows(Exception.class, () -> relayed.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof UpstreamException u && u.status() == 499, e.toString());
        }
        assertTrue(stub.cancelled.await(5, TimeUnit.SECONDS), "the upstream saw its caller go");
    }

    @Test
    void anUpstreamThatStallsTimesOut() {
        try (UpstreamCall call = client.open(openAi("STUB_KEY", Duration.ofMillis(300)), chat("WAIT", Map.of()),
                new CancelToken())) {
            var e = assertThrows(UpstreamException.class, () -> call.relay(text -> { }));
            assertEquals(504, e.status());
        } finally {
            stub.release();
        }
    }

    @Test
    void errorsKeepTheirStatusAndNeverTheKey() {
        var broken = new Upstream(Upstream.Api.OLLAMA, URI.create(stub.base() + "/broken"), "m", null,
                Duration.ofSeconds(5));
        var e = assertThrows(UpstreamException.class, () -> client.open(broken, chat("Hi", Map.of()), new CancelToken()));
        assertEquals(500, e.status());
        assertTrue(e.getMessage().contains("upstream exploded"), e.getMessage());

        var wrongKey = new UpstreamClient(name -> Optional.of("sk-wrong-key-123"));
        e = assertThrows(UpstreamException.class, () -> wrongKey.open(openAi("ANY", Duration.ofSeconds(5)),
                chat("Hi", Map.of()), new CancelToken()));
        assertEquals(502, e.status(), "the upstream's 401 is not the caller's");
        assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-wrong-key-123"), "an echoed key is blanked out: " + e.getMessage());

        e = assertThrows(UpstreamException.class, () -> client.open(openAi("UNSET_KEY", Duration.ofSeconds(5)),
                chat("Hi", Map.of()), new CancelToken()));
        assertTrue(e.getMessage().contains("UNSET_KEY is not set"), e.getMessage());

        var nowhere = new Upstream(Upstream.Api.OLLAMA, URI.create("http://127.0.0.1:9"), "m", null, Duration.ofSeconds(5));
        e = assertThrows(UpstreamException.class, () -> client.open(nowhere, chat("Hi", Map.of()), new CancelToken()));
        assertEquals(502, e.status());
        assertTrue(e.getMessage().startsWith("upstream m@http://127.0.0.1:9 is unreachable"), e.getMessage());
    }
}
