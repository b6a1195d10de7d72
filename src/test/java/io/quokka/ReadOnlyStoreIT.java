package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ReadOnlyTree;
import io.quokka.pull.LoopbackRegistry;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server started on a read-only store ({@code OLLAMA_MODELS} on a read-only volume). An empty one: the
 * toy default cannot be written and a preload cannot be pulled, yet the server starts, answers, and its readiness says
 * why it is not ready. One holding a model: the preload loads it from the read-only store and it is served.
 */
@Timeout(180)
class ReadOnlyStoreIT {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    @RegisterExtension
    final PackagedServers servers = new PackagedServers();
    PackagedServer packaged;

    @TempDir
    Path dir;

    @Test
    void anEmptyReadOnlyStoreStartsWithoutTheToyAndSaysWhyThePreloadFailed() throws Exception {
        Path store = Files.createDirectories(dir.resolve("empty-models"));
        String url = LoopbackRegistry.shared().base() + "/files/direct/toy-Q8_0.gguf";
        try (ReadOnlyTree locked = ReadOnlyTree.lock(store)) {
            URI base = start(store, Map.of("QUOKKA_TOY_DEFAULT", "true", "OLLAMA_PRELOAD_MODELS", url), "");
            HttpResponse<String> health = await(base, "health", 503, "error");
            JsonNode reason = JSON.readTree(health.body());
            assertTrue(reason.path("error").asText().contains("pull of " + url + " failed"), health.body());
            assertTrue(reason.path("error").asText().contains("operation not permitted")
                    || reason.path("error").asText().contains("permission denied"), health.body());
            assertEquals("{\"models\":[]}", get(base, "api/tags").body());
            HttpResponse<String> toy = post(base, "api/generate", "{\"model\":\"toy\",\"prompt\":\"hi\"}");
            assertEquals(404, toy.statusCode(), toy.body());
            assertEquals("model 'toy' not found", JSON.readTree(toy.body()).path("error").asText());
            assertTrue(packaged.output().contains("could not generate the toy model"), packaged.output());
            assertEquals(Map.of("", "dir"), ReadOnlyTree.snapshot(store), "nothing was written");
            assertTrue(locked.refusesWrites());
        }
    }

    @Test
    void aReadOnlyStorePreloadsAndServesItsModel() throws Exception {
        Path store = dir.resolve("models");
        ToyInstaller.install(store, ModelName.parse("toy"), ToyModelSpec.tiny().withName("toy"));
        Map<String, String> before = ReadOnlyTree.snapshot(store);
        try (ReadOnlyTree locked = ReadOnlyTree.lock(store)) {
            URI base = start(store, Map.of("OLLAMA_PRELOAD_MODELS", "toy"), "health");
            HttpResponse<String> answer = post(base, "api/generate",
                    "{\"model\":\"toy\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}");
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(2, JSON.readTree(answer.body()).path("eval_count").asInt(), answer.body());
            HttpResponse<String> copy = post(base, "api/copy", "{\"source\":\"toy\",\"destination\":\"other\"}");
            assertEquals(500, copy.statusCode(), copy.body());
            assertTrue(JSON.readTree(copy.body()).path("error").isTextual(), copy.body());
            assertTrue(locked.refusesWrites());
        }
        assertEquals(before, ReadOnlyTree.snapshot(store), "nothing was written");
    }

    private URI start(Path store, Map<String, String> env, String readyPath) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("OLLAMA_MODELS", store.toString(),
                "QUOKKA_TOY_DEFAULT", "false", "QUOKKA_WORK_DIR", dir.resolve("work").toString(),
                "QUOKKA_PRELOAD_FILE", dir.resolve("no-preload.txt").toString(), "QUOKKA_PULL_RETRY_BACKOFF", "20ms"));
        all.putAll(env);
        packaged = servers.start(dir.resolve("server.log"), all, readyPath);
        return packaged.base();
    }

    /** Polls {@code path} until it answers {@code status} with {@code text} in its body. */
    private HttpResponse<String> await(URI base, String path, int status, String text) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        HttpResponse<String> r;
        do {
            r = get(base, path);
            if (r.statusCode() == status && r.body().contains(text)) return r;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " answered " + r.statusCode() + " " + r.body() + "\n" + packaged.output());
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI base, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
