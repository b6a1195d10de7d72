package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown of the packaged server ({@code target/quarkus-app}, built by {@code package} before failsafe runs
 * this in {@code verify}): SIGTERM during a stream refuses new generations with 503, cancels the stream after the
 * grace period with a final {@code {"error"}} line, ends the runner and exits 0.
 */
@Timeout(180)
class ShutdownIT {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    @RegisterExtension
    final PackagedServers servers = new PackagedServers();
    PackagedServer packaged;

    @TempDir
    Path dir;

    @Test
    void sigtermDuringAStreamRefusesNewWorkCancelsTheStreamWithAnErrorLineUnloadsAndExitsZero() throws Exception {
        Path store = dir.resolve("models");
        ToyInstaller.install(store, ModelName.parse("toy"), ToyModelSpec.tiny().withName("toy"));
        packaged = servers.start(dir.resolve("server.log"), Map.of("OLLAMA_MODELS", store.toString(),
                "QUOKKA_SHUTDOWN_GRACE", "2s", "QUOKKA_WORK_DIR", dir.resolve("work").toString()));
        Process server = packaged.process();
        URI base = packaged.base();
        HttpResponse<java.util.stream.Stream<String>> stream = http.send(post(base, """
                {"model":"toy","prompt":"Go on forever","options":{"num_predict":1000000,"num_ctx":256}}"""),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        Iterator<String> lines = stream.body().iterator();
        for (int i = 0; i < 5; i++) assertFalse(JSON.readTree(lines.next()).get("done").asBoolean());
        List<ProcessHandle> runners = server.descendants().filter(ShutdownIT::isRunner).toList();
        assertEquals(1, runners.size(), "one runner");

        long sigterm = System.nanoTime();
        server.destroy(); // SIGTERM
        Thread.sleep(500);
        HttpResponse<String> refused = http.send(post(base, """
                {"model":"toy","prompt":"one more?","stream":false,"options":{"num_predict":2}}"""),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("server is shutting down", JSON.readTree(refused.body()).get("error").asText());
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), "not ready while draining: " + ready.body());

        JsonNode last = null;
        while (lines.hasNext()) last = JSON.readTree(lines.next());
        long endedMs = (System.nanoTime() - sigterm) / 1_000_000;
        assertTrue(last != null && last.has("error"), "the stream ends with an error line: " + last);
        assertEquals("server is shutting down", last.get("error").asText());
        assertTrue(endedMs >= 1_900, "the stream ran on through the 2 s grace: " + endedMs + " ms");

        assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server exits");
        assertEquals(0, server.exitValue(), packaged.output());
        for (ProcessHandle runner : runners) {
            runner.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(runner.isAlive(), "the runner ended");
        }
        assertTrue(packaged.output().contains("unloading model toy:latest (shutdown)"), packaged.output());
    }

    private static boolean isRunner(ProcessHandle p) {
        try {
            String cmdline = Files.readString(Path.of("/proc", p.pid() + "", "cmdline"));
            return List.of(cmdline.split("\0")).contains("runner");
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpRequest post(URI base, String body) {
        return HttpRequest.newBuilder(base.resolve("api/generate")).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
