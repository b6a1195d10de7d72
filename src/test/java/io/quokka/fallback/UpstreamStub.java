package io.quokka.fallback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback upstream for the fallback tests (JDK's HTTP server, no network): Ollama's {@code /api/chat} and
 * {@code /api/generate} as NDJSON under {@code /ollama}, OpenAI's {@code /chat/completions} as server-sent events under
 * {@code /openai/v1} (bearer key required), and {@code /broken} answering 500 in Ollama's error shape. What the last
 * prompt says steers it: {@code WAIT} holds the rest of the answer until {@link #release()}, {@code FOREVER} streams
 * until the caller goes away (then {@link #cancelled} counts down).
 */
public final class UpstreamStub implements AutoCloseable {
    public static final String KEY = "sk-test-5ecr3t-do-not-log";
    public static final List<String> WORDS = List.of("Hello", " from", " the", " upstream");

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    /** The last request body per path. */
    public final Map<String, JsonNode> requests = new ConcurrentHashMap<>();
    public final Map<String, String> authorization = new ConcurrentHashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    public volatile CountDownLatch cancelled = new CountDownLatch(1);

    public UpstreamStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/ollama/api/", this::ollama);
        server.createContext("/openai/v1/chat/completions", this::openAi);
        server.createContext("/broken/", this::broken);
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Lets held answers ({@code WAIT}) go on. */
    public void release() {
        gate.countDown();
    }

    public void reset() {
        gate = new CountDownLatch(1);
        cancelled = new CountDownLatch(1);
    }

    private String prompt(JsonNode body) {
        if (body.has("prompt")) return body.path("prompt").asText();
        JsonNode messages = body.path("messages");
        return messages.path(messages.size() - 1).path("content").asText();
    }

    private JsonNode read(HttpExchange ex) throws IOException {
        JsonNode body = json.readTree(ex.getRequestBody().readAllBytes());
        requests.put(ex.getRequestURI().getPath(), body);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) authorization.put(ex.getRequestURI().getPath(), auth);
        return body;
    }

    private void ollama(HttpExchange ex) throws IOException {
        JsonNode body = read(ex);
        boolean chat = ex.getRequestURI().getPath().endsWith("/chat");
        String model = body.path("model").asText();
        ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            stream(prompt(body), out, word -> {
                var line = json.createObjectNode().put("model", model).put("created_at", "2024-01-01T00:00:00Z");
                if (chat) line.putObject("message").put("role", "assistant").put("content", word);
                else line.put("response", word);
                return json.writeValueAsString(line.put("done", false)) + "\n";
            });
            var done = json.createObjectNode().put("model", model).put("done", true).put("done_reason", "stop")
                    .put("prompt_eval_count", 7).put("prompt_eval_duration", 1000).put("eval_count", WORDS.size())
                    .put("eval_duration", 2000);
            if (chat) done.putObject("message").put("role", "assistant").put("content", "");
            else done.put("response", "");
            write(out, json.writeValueAsString(done) + "\n");
        } catch (IOException gone) {
            cancelled.countDown();
        }
    }

    private void openAi(HttpExchange ex) throws IOException {
        JsonNode body = read(ex);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (!("Bearer " + KEY).equals(auth)) {
            // As some hosted APIs do: the bad key is echoed in the error.
            byte[] error = json.writeValueAsBytes(Map.of("error", Map.of("message",
                    "Incorrect API key provided: " + auth, "type", "invalid_request_error")));
            ex.sendResponseHeaders(401, error.length);
            ex.getResponseBody().write(error);
            ex.close();
            return;
        }
        String model = body.path("model").asText();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            stream(prompt(body), out, word -> "data: " + json.writeValueAsString(Map.of("id", "x", "model", model,
                    "object", "chat.completion.chunk", "choices", List.of(Map.of("index", 0,
                            "delta", Map.of("content", word))))) + "\n\n");
            write(out, "data: " + json.writeValueAsString(Map.of("id", "x", "model", model, "choices",
                    List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "length")))) + "\n\n");
            write(out, "data: " + json.writeValueAsString(Map.of("id", "x", "model", model, "choices", List.of(),
                    "usage", Map.of("prompt_tokens", 9, "completion_tokens", WORDS.size()))) + "\n\n");
            write(out, "data: [DONE]\n\n");
        } catch (IOException gone) {
            cancelled.countDown();
        }
    }

    private void broken(HttpExchange ex) throws IOException {
        read(ex);
        byte[] error = "{\"error\":\"upstream exploded\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(500, error.length);
        ex.getResponseBody().write(error);
        ex.close();
    }

    interface Line {
        String of(String word) throws IOException;
    }

    private void stream(String prompt, OutputStream out, Line line) throws IOException {
        if (prompt.contains("FOREVER")) {
            for (int i = 0; i < 2000; i++) {
                write(out, line.of(" more"));
                sleep(20);
            }
            return;
        }
        for (int i = 0; i < WORDS.size(); i++) {
            write(out, line.of(WORDS.get(i)));
            if (i == 0 && prompt.contains("WAIT")) {
                try {
                    gate.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
