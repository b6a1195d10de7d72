package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.SchedulerStats;
import io.quokka.scheduler.memory.MemoryBudget;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Load and faults on the real engine with the default settings (one slot, the default queue): many concurrent
 * streams, clients that leave mid-stream over and over, a model file deleted while its model is resident.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class LoadAndFaultsApiTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final int CLIENTS = Integer.getInteger("load.clients", 200);
    static final int DISCONNECTS = Integer.getInteger("load.disconnects", 1000);
    /** The disconnect loop stops here even short of its count (a busy machine); at least 50 must have run. */
    static final long DISCONNECT_SECONDS = Long.getLong("load.disconnect.seconds", 60);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Scheduler scheduler;

    static String stream(String prompt, int numPredict) {
        return """
                {"model":"toy","prompt":"%s","options":{"num_predict":%d,"temperature":0}}""".formatted(prompt, numPredict);
    }

    @Test
    void concurrentStreamsAreAllAnsweredOnceAndMemoryStaysFlat() throws Exception {
        warmUp();
        long rssBefore = MemoryBudget.processTreeResident();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Map<Integer, Integer> doneLines = new ConcurrentHashMap<>();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                all.add(pool.submit(() -> {
                    try {
                        HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(HttpRequest.newBuilder(
                                base.resolve("api/generate")).timeout(Duration.ofMinutes(5))
                                .POST(HttpRequest.BodyPublishers.ofString(stream("client " + client, 2))).build(),
                                HttpResponse.BodyHandlers.ofLines());
                        statuses.merge(r.statusCode(), 1, Integer::sum);
                        int done = 0;
                        long evalCount = -1;
                        for (String line : (Iterable<String>) r.body()::iterator) {
                            if (line.isBlank()) continue;
                            JsonNode node = NdjsonClient.parse(line);
                            if (node.has("error") && r.statusCode() == 200) problems.add(client + ": " + line);
                            if (node.path("done").asBoolean()) {
                                done++;
                                evalCount = node.path("eval_count").asLong();
                            }
                        }
                        if (r.statusCode() == 200) {
                            doneLines.merge(done, 1, Integer::sum);
                            if (done != 1 || evalCount < 1 || evalCount > 2) {
                                problems.add(client + ": done lines " + done + ", eval_count " + evalCount);
                            }
                        } else if (r.statusCode() != 503) {
                            problems.add(client + ": status " + r.statusCode());
                        }
                    } catch (Exception e) {
                        problems.add(client + ": " + e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get();
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        awaitIdle();
        System.gc();
        long rssAfter = MemoryBudget.processTreeResident();
        int answered = statuses.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("load: %d concurrent streaming clients in %d s, statuses %s, done lines per stream %s, "
                        + "RSS (server+runner) %d MiB before, %d MiB after, failures: %d%n", CLIENTS, seconds, statuses,
                doneLines, rssBefore >> 20, rssAfter >> 20, problems.size());
        problems.stream().limit(10).forEach(p -> System.out.println("  " + p));
        assertEquals(CLIENTS, answered, "every client answered");
        assertEquals(List.of(), problems.stream().limit(10).toList());
        assertTrue(rssAfter - rssBefore < 256L << 20, "RSS grew by " + ((rssAfter - rssBefore) >> 20) + " MiB");
    }

    @Test
    void clientsThatLeaveMidStreamLeakNothing() throws Exception {
        warmUp();
        String body = stream("Go on and on", 1_000_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Duration.ofSeconds(DISCONNECT_SECONDS).toNanos();
        long start = System.nanoTime();
        int left = 0;
        while (left < DISCONNECTS && System.nanoTime() < deadline) {
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /api/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.contains("\"response\"")) {
                    // headers and chunk sizes: leave at the first generated chunk
                }
                socket.setSoLinger(true, 0); // a reset, as a killed client leaves
            }
            left++;
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        SchedulerStats stats = awaitIdle();
        long t0 = System.nanoTime();
        var next = HTTP.send(HttpRequest.newBuilder(base.resolve("api/generate")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(GenerateApiTest.greedy("toy", "next", 3))).build(),
                HttpResponse.BodyHandlers.ofString());
        long nextMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("disconnects: %d clients left after their first chunk in %d s; then in flight %d, queued %d; "
                + "next request %d ms; failures: 0%n", left, seconds, stats.inFlight(), stats.queued(), nextMs);
        assertTrue(left >= Math.min(DISCONNECTS, 50), "only " + left + " disconnects in the time budget");
        assertEquals(0, stats.inFlight());
        assertEquals(0, stats.queued());
        assertEquals(200, next.statusCode(), next.body());
        assertTrue(nextMs < 30_000, "next request took " + nextMs + " ms");
    }

    /**
     * The model file of a resident model deleted behind the server's back (not through {@code /api/delete}): a
     * generation already running finishes on the weights its runner maps; every later request gets Ollama's 404
     * (what {@code ollama run} answers with a pull), the runner is unloaded, {@code /api/tags} still lists the
     * manifest (as Ollama does) and {@code /api/delete} removes it cleanly.
     */
    @Test
    void aModelFileDeletedWhileResidentGetsAClearErrorAndTheServerKeepsServing() throws Exception {
        Path gguf = Files.createTempFile("victim-", ".gguf");
        io.quokka.toy.ToyModel.write(io.quokka.toy.ToyModelSpec.tiny().withSeed(99), gguf);
        var writer = new io.quokka.store.StoreWriter(TestStore.root, true);
        var name = io.quokka.store.ModelName.parse("victim");
        var stored = writer.create(name, gguf, Optional.empty(), Optional.empty(), Map.of(),
                io.quokka.store.ModelConfig.gguf("llama", "1M", "Q8_0"));
        Files.delete(gguf);
        try {
            assertEquals(200, generate("victim").statusCode());
            String listed = listing("victim:latest");
            assertTrue(resident().contains("victim:latest"), resident());

            // Deleted mid-stream: the runner's mapping survives, the stream ends as any other.
            var stream = NdjsonClient.post(base, "api/generate",
                    "{\"model\":\"victim\",\"prompt\":\"go on\",\"options\":{\"num_predict\":400,\"temperature\":0}}");
            assertEquals(200, stream.response().statusCode());
            assertTrue(stream.next().has("response"));
            Files.delete(stored.modelBlob());
            JsonNode last = null;
            while (stream.hasNext()) last = stream.next();
            assertTrue(last != null && last.path("done").asBoolean() && !last.has("error"), String.valueOf(last));
            assertEquals(400, last.path("eval_count").asInt(), last.toString());

            var after = generate("victim");
            System.out.printf("deleted while resident: %d %s%n", after.statusCode(), after.body());
            assertEquals(404, after.statusCode(), after.body());
            assertEquals("model 'victim' not found", NdjsonClient.parse(after.body()).path("error").asText());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (resident().contains("victim:latest") && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(resident().contains("victim:latest"), "its runner is unloaded: " + resident());
            var again = generate("victim"); // nothing resident now: the same answer
            assertEquals(404, again.statusCode(), again.body());
            assertEquals(after.body(), again.body());
            var show = post("api/show", "{\"model\":\"victim\"}");
            assertEquals(404, show.statusCode(), show.body());
            assertEquals(listed, listing("victim:latest"), "/api/tags lists the manifest as before");
            assertEquals(200, generate("toy").statusCode());

            var delete = HTTP.send(HttpRequest.newBuilder(base.resolve("api/delete")).method("DELETE",
                    HttpRequest.BodyPublishers.ofString("{\"model\":\"victim\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, delete.statusCode(), delete.body());
            assertEquals("", listing("victim:latest"));
            io.quokka.pull.StoreCheck.assertConsistent(TestStore.root);
        } finally {
            writer.delete(name);
        }
    }

    /** The {@code /api/tags} entry of {@code model}, or "" when it is not listed. */
    private String listing(String model) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(base.resolve("api/tags")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode m : NdjsonClient.parse(r.body()).path("models")) {
            if (m.path("name").asText().equals(model)) return m.toString();
        }
        return "";
    }

    private String resident() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("api/ps")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> generate(String model) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("api/generate")).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(GenerateApiTest.greedy(model, "hello", 2))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void warmUp() throws Exception {
        assertEquals(200, generate("toy").statusCode());
    }

    private SchedulerStats awaitIdle() throws InterruptedException {
        return awaitIdle(scheduler);
    }

    /** The scheduler's stats once nothing is in flight or queued (or after 30 s, for the caller to assert on). */
    static SchedulerStats awaitIdle(Scheduler scheduler) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        SchedulerStats stats = scheduler.stats();
        while ((stats.inFlight() > 0 || stats.queued() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            stats = scheduler.stats();
        }
        return stats;
    }
}
