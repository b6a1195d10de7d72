package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A streaming {@code /api/generate} client that times what a user sees: the first text chunk, the last one, and the
 * runner's own counts from the final line. Chunk lines are recognised without parsing them, so the client costs as
 * little CPU as possible on the machine it shares with the server.
 */
final class StreamClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;

    StreamClient(URI base) {
        this.base = base;
    }

    /** One streamed generation as the client saw it. Times are nanoseconds from the request's start. */
    record Timed(int status, long firstTextNanos, long lastTextNanos, long totalNanos, int chunks,
                 JsonNode done, String error) {
        boolean complete() {
            return status == 200 && done != null && error == null;
        }

        int evalCount() {
            return done == null ? 0 : done.path("eval_count").asInt();
        }

        int promptEvalCount() {
            return done == null ? 0 : done.path("prompt_eval_count").asInt();
        }

        /** Tokens per second between the first and the last text chunk, as the client received them. */
        double clientGenerationRate() {
            int n = evalCount();
            long span = lastTextNanos - firstTextNanos;
            return n > 1 && span > 0 ? (n - 1) * 1e9 / span : Double.NaN;
        }

        /** The runner's own eval rate ({@code eval_count / eval_duration}). */
        double runnerGenerationRate() {
            return done == null ? Double.NaN
                    : rate(done.path("eval_count").asLong(), done.path("eval_duration").asLong());
        }

        double runnerPromptRate() {
            return done == null ? Double.NaN
                    : rate(done.path("prompt_eval_count").asLong(), done.path("prompt_eval_duration").asLong());
        }
    }

    static double rate(long count, long nanos) {
        return count > 0 && nanos > 0 ? count * 1e9 / nanos : Double.NaN;
    }

    Timed generate(String model, String prompt, String options) throws IOException, InterruptedException {
        String body = "{\"model\":" + JSON.writeValueAsString(model) + ",\"prompt\":" + JSON.writeValueAsString(prompt)
                + ",\"raw\":true,\"stream\":true,\"options\":" + options + "}";
        return post("/api/generate", body);
    }

    Timed post(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long first = -1, last = -1;
        int chunks = 0;
        JsonNode done = null;
        String error = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime() - start;
                if (line.isEmpty()) continue;
                if (line.contains("\"done\":false")) {
                    if (!line.contains("\"response\":\"\"")) {
                        if (first < 0) first = now;
                        last = now;
                        chunks++;
                    }
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (node.has("error")) {
                    error = node.get("error").asText();
                } else if (node.path("done").asBoolean()) {
                    done = node;
                }
            }
        }
        return new Timed(response.statusCode(), first, last, System.nanoTime() - start, chunks, done, error);
    }

    /** A plain JSON call; the answer's body as a tree (or an {@code {"error"}} object). */
    JsonNode call(String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    }
}
