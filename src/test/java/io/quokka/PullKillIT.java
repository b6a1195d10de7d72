package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.pull.LoopbackRegistry;
import io.quokka.pull.StoreCheck;
import io.quokka.store.Digest;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyModelSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server killed (SIGKILL) in the middle of a pull, then started again: the store is consistent (no
 * manifest, no blob that is not whole, the partial download not visible as a model), the next pull resumes from where
 * the killed one had got to (a Range request past 0), and the model then answers.
 */
@Timeout(180)
class PullKillIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = "library/kill-me";
    final HttpClient http = HttpClient.newHttpClient();
    @RegisterExtension
    final PackagedServers servers = new PackagedServers();
    PackagedServer packaged;

    @TempDir
    Path dir;

    @Test
    void aPullKilledWithTheServerLeavesAConsistentStoreAndResumesAfterTheRestart() throws Exception {
        Path store = dir.resolve("models");
        try (LoopbackRegistry registry = LoopbackRegistry.start()) {
            registry.publishToy(REPO, "latest", ToyModelSpec.tiny().withName("kill-me"));
            Digest blob = registry.modelDigest(REPO, "latest");
            long size = registry.repoFileSize(blob);
            LoopbackRegistry.Fault fault = registry.fault(blob);
            // Slow enough that the puller records its progress (every second) before the transfer stalls half way.
            fault.slowMillis = 120;
            fault.pauseAfter = size / 2;
            fault.pause = new CountDownLatch(1);
            String model = registry.host() + "/" + REPO + ":latest";

            URI base = start(store);
            var pulling = http.sendAsync(post(base, "api/pull", "{\"model\":\"" + model + "\",\"insecure\":true}"),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(fault.paused.await(60, TimeUnit.SECONDS), "the transfer reached the middle of the blob");
            Thread.sleep(300);
            packaged.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            pulling.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
            fault.pause.countDown();

            StoreCheck.assertConsistent(store);
            assertFalse(Files.exists(ModelName.parse(model).manifestPath(store)), "no manifest for a pull that died");
            assertFalse(Files.exists(blob.blobPath(store)), "no blob that is not whole");
            assertFalse(StoreCheck.partials(store, blob).isEmpty(), "the partial download is kept for the next pull");

            registry.clearFaults();
            base = start(store);
            HttpResponse<String> again = http.send(post(base, "api/pull",
                    "{\"model\":\"" + model + "\",\"insecure\":true,\"stream\":false}"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, again.statusCode(), again.body());
            assertEquals("success", JSON.readTree(again.body()).get("status").asText());
            long resumedFrom = registry.rangeStarts(blob).stream().mapToLong(Long::longValue).max().orElse(0);
            assertTrue(resumedFrom > 0, "the second pull resumed with a Range past 0: " + registry.rangeStarts(blob));
            StoreCheck.assertConsistent(store);
            assertTrue(StoreCheck.partials(store, blob).isEmpty(), "the partial download is gone once the blob is whole");

            HttpResponse<String> answer = http.send(post(base, "api/generate", "{\"model\":\"" + model
                    + "\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(2, JSON.readTree(answer.body()).get("eval_count").asInt());
        }
    }

    /** Starts the packaged server on {@code store}, with nothing to preload and no toy model. */
    private URI start(Path store) throws Exception {
        packaged = servers.start(dir.resolve("server.log"), Map.of("OLLAMA_MODELS", store.toString(),
                "QUOKKA_TOY_DEFAULT", "false", "QUOKKA_WORK_DIR", dir.resolve("work").toString(),
                "OLLAMA_PRELOAD_MODELS", "", "QUOKKA_PRELOAD_FILE", dir.resolve("no-preload.txt").toString()));
        return packaged.base();
    }

    private static HttpRequest post(URI base, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
