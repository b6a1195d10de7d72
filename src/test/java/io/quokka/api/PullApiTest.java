package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.pull.LoopbackRegistry;
import io.quokka.pull.LoopbackResource;
import io.quokka.pull.StoreCheck;
import io.quokka.store.Digest;
import io.quokka.store.ModelName;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/pull} against a registry and a Hugging Face-like server on loopback ({@link LoopbackRegistry}):
 * the wire format, pull then generate on the real engine, and faults — each followed by a walk of the store.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@QuarkusTestResource(LoopbackResource.class)
class PullApiTest {
    static final String REPO = "library/toy-pull";

    @TestHTTPResource("/")
    URI base;

    LoopbackRegistry registry = LoopbackRegistry.shared();

    @AfterEach
    void storeIsConsistentAndTheServerServes() {
        registry.clearFaults();
        StoreCheck.assertConsistent(TestStore.root);
        given().get("/api/tags").then().statusCode(200);
    }

    /**
     * The pulled models leave with this class: other classes list the shared test store's models exactly. Everything
     * pulled here lives under a host of its own (the loopback registry, hf.co, huggingface.co).
     */
    @AfterAll
    static void removePulledModels() throws Exception {
        Path manifests = TestStore.root.resolve("manifests");
        try (var hosts = Files.list(manifests)) {
            for (Path host : hosts.filter(h -> !h.getFileName().toString().equals(ModelName.DEFAULT_HOST)).toList()) {
                try (var tree = Files.walk(host)) {
                    for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
        }
    }

    private String name(String tag) {
        return registry.host() + "/" + REPO + ":" + tag;
    }

    /** Pulls with streaming and returns every line. */
    private List<JsonNode> pull(String model) {
        var stream = NdjsonClient.post(base, "/api/pull", "{\"model\":\"" + model + "\",\"insecure\":true}");
        assertEquals(200, stream.response().statusCode());
        assertEquals("application/x-ndjson", stream.contentType());
        List<JsonNode> lines = new ArrayList<>();
        while (stream.hasNext()) lines.add(stream.next());
        return lines;
    }

    private static List<String> statuses(List<JsonNode> lines) {
        return lines.stream().map(l -> l.has("error") ? "error: " + l.get("error").asText() : l.get("status").asText())
                .toList();
    }

    private void removeModel(String model) throws Exception {
        Files.deleteIfExists(ModelName.parse(model).manifestPath(TestStore.root));
    }

    /** Removes a blob and the registry models that reference it, so the store stays consistent. */
    private void removeBlob(Digest d) throws Exception {
        removeModel(name("latest"));
        removeModel(name("other"));
        Files.deleteIfExists(d.blobPath(TestStore.root));
        for (var p : StoreCheck.partials(TestStore.root, d)) Files.deleteIfExists(p);
    }

    @Test
    void pullThenGenerateWithOllamasProgressLines() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        List<JsonNode> lines = pull(model);
        List<String> statuses = statuses(lines);
        assertEquals("pulling manifest", statuses.getFirst(), statuses.toString());
        assertEquals(List.of("verifying sha256 digest", "writing manifest", "success"),
                statuses.subList(statuses.size() - 3, statuses.size()), statuses.toString());
        JsonNode progress = lines.stream().filter(l -> weights.toString().equals(l.path("digest").asText()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("pulling " + weights.hex().substring(0, 12), progress.get("status").asText());
        long size = registry.repoFileSize(weights);
        assertEquals(size, progress.get("total").asLong());
        assertEquals(size, progress.get("completed").asLong());
        assertEquals(List.of("status"), fieldNames(lines.getFirst()), "empty fields are left out, as Go's omitempty");
        // The manifest is the registry's, byte for byte (so the model's digest is the registry's).
        assertArrayEquals(registry.manifest(REPO, "latest"), Files.readAllBytes(ModelName.parse(model).manifestPath(TestStore.root)));
        String shown = ModelName.parse(model).displayShortest();
        given().get("/api/tags").then().body("models.name", hasItem(shown));
        given().body("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/generate").then().statusCode(200).body("done", equalTo(true));

        // Pulled again: nothing is downloaded, each blob is reported complete.
        long gets = registry.blobGets(weights);
        List<JsonNode> again = pull(model);
        assertEquals("success", again.getLast().get("status").asText());
        assertEquals(gets, registry.blobGets(weights), "an already-present blob is not downloaded again");
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void streamFalseAnswersTheLastStatus() throws Exception {
        String model = name("other");
        removeModel(model);
        given().body("{\"model\":\"" + model + "\",\"insecure\":true,\"stream\":false}").post("/api/pull").then()
                .statusCode(200).contentType("application/json").body(equalTo("{\"status\":\"success\"}"));
        // The legacy field name works too.
        given().body("{\"name\":\"" + model + "\",\"insecure\":true,\"stream\":false}").post("/api/pull").then()
                .statusCode(200).body("status", equalTo("success"));
    }

    @Test
    void aMissingModelIsOllamasError() {
        String model = registry.host() + "/library/no-such-model:latest";
        assertEquals(List.of("pulling manifest", "error: pull model manifest: file does not exist"), statuses(pull(model)));
        given().body("{\"model\":\"" + model + "\",\"insecure\":true,\"stream\":false}").post("/api/pull").then()
                .statusCode(500).body("error", equalTo("pull model manifest: file does not exist"));
        assertFalse(Files.exists(ModelName.parse(model).manifestPath(TestStore.root)));
    }

    /**
     * A registry that refuses the connection, or whose name does not resolve, is Ollama's error at once (Go's dial
     * error after {@code pull model manifest: }): a last line when streaming, a 500 otherwise; never retried.
     */
    @Test
    void anUnreachableRegistryIsOllamasErrorAtOnce() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // nobody listens there once it is closed
        }
        String refused = "pull model manifest: Get \"http://127.0.0.1:" + port + "/v2/library/toy/manifests/latest\": "
                + "dial tcp 127.0.0.1:" + port + ": connect: connection refused";
        String unresolved = "pull model manifest: Get \"https://nonexistent.invalid/v2/library/toy/manifests/latest\": "
                + "dial tcp: lookup nonexistent.invalid: no such host";
        // Both clients warmed up first: their first use alone can take seconds on a busy machine.
        given().get("/api/tags").then().statusCode(200);
        assertEquals(400, NdjsonClient.post(base, "/api/pull", "{}").response().statusCode());

        List<String> lines = quickly(() -> lines("{\"model\":\"127.0.0.1:" + port + "/library/toy\",\"insecure\":true}"));
        assertEquals(List.of("{\"status\":\"pulling manifest\"}", "{\"error\":" + quoted(refused) + "}"), lines);
        quickly(() -> given().body("{\"model\":\"127.0.0.1:" + port + "/library/toy\",\"insecure\":true,\"stream\":false}")
                .post("/api/pull").then().statusCode(500).body("error", equalTo(refused)));
        lines = quickly(() -> lines("{\"model\":\"nonexistent.invalid/library/toy\"}"));
        assertEquals(List.of("{\"status\":\"pulling manifest\"}", "{\"error\":" + quoted(unresolved) + "}"), lines);
        quickly(() -> given().body("{\"model\":\"nonexistent.invalid/library/toy\",\"stream\":false}").post("/api/pull")
                .then().statusCode(500).body("error", equalTo(unresolved)));
    }

    /** Runs a request that must be answered within two seconds (Ollama's backoff would take 31). */
    private static <T> T quickly(java.util.function.Supplier<T> request) {
        long start = System.nanoTime();
        T answer = request.get();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 2000, "answered after " + millis + " ms");
        return answer;
    }

    /** A streamed pull's lines, as sent. */
    private List<String> lines(String body) {
        var stream = NdjsonClient.post(base, "/api/pull", body);
        assertEquals(200, stream.response().statusCode());
        List<String> lines = new ArrayList<>();
        stream.lines().forEachRemaining(lines::add);
        return lines;
    }

    private static String quoted(String s) throws Exception {
        return NdjsonClient.JSON.writeValueAsString(s);
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingStreams() {
        given().body("{\"model\":\"bad name!\"}").post("/api/pull").then().statusCode(400)
                .body("error", equalTo("invalid model name"));
        given().body("{}").post("/api/pull").then().statusCode(400).body("error", equalTo("invalid model name"));
        given().body("").post("/api/pull").then().statusCode(400).body("error", equalTo("missing request body"));
        given().body("{\"model\":1}").post("/api/pull").then().statusCode(400);
        given().body("{\"model\":\"http://" + registry.host() + "/library/toy-pull\"}").post("/api/pull").then()
                .statusCode(500).body("error", equalTo("insecure protocol http"));
    }

    @Test
    void aTransferCutMidBlobResumesWithARange() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        LoopbackRegistry.Fault fault = registry.fault(weights);
        fault.cutAfter = registry.repoFileSize(weights) / 3;
        fault.cuts.set(2);
        List<String> statuses = statuses(pull(model));
        assertEquals("success", statuses.getLast(), statuses.toString());
        List<Long> starts = registry.rangeStarts(weights);
        assertTrue(starts.size() >= 3 && starts.getLast() >= fault.cutAfter, "resumed with a Range: " + starts);
    }

    @Test
    void aCorruptedBlobNeverBecomesVisible() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        registry.fault(weights).corrupt = true;
        List<String> statuses = statuses(pull(model));
        assertTrue(statuses.getLast().startsWith("error: digest mismatch, file must be downloaded again: want "
                + weights + ", got sha256:"), statuses.toString());
        assertFalse(Files.exists(weights.blobPath(TestStore.root)));
        assertFalse(Files.exists(ModelName.parse(model).manifestPath(TestStore.root)));
        assertEquals(List.of(), StoreCheck.partials(TestStore.root, weights), "a corrupt download starts over");
    }

    @Test
    void aBlobOfTheWrongSizeIsRefused() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        registry.fault(weights).extraBytes = 10;
        List<String> statuses = statuses(pull(model));
        assertTrue(statuses.getLast().startsWith("error: blob " + weights.hex().substring(0, 12) + " is "
                + (registry.repoFileSize(weights) + 10) + " bytes on the server"), statuses.toString());
        assertFalse(Files.exists(weights.blobPath(TestStore.root)));
        assertFalse(Files.exists(ModelName.parse(model).manifestPath(TestStore.root)));
    }

    @Test
    void blobsFollowARedirectToAnotherHost() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        LoopbackRegistry cdn = LoopbackRegistry.sharedCdn();
        long before = cdn.blobGets(weights);
        registry.redirectBlobsTo(cdn.otherHostBase());
        assertEquals("success", statuses(pull(model)).getLast());
        assertEquals(before + 1, cdn.blobGets(weights), "the blob came from the CDN");
    }

    @Test
    void concurrentPullsOfOneBlobDownloadItOnce() throws Exception {
        String model = name("latest");
        String sibling = name("other"); // the same weights under another tag
        Digest weights = registry.modelDigest(REPO, "latest");
        assertEquals(weights, registry.modelDigest(REPO, "other"));
        removeModel(model);
        removeModel(sibling);
        removeBlob(weights);
        registry.fault(weights).slowMillis = 15;
        long before = registry.blobGets(weights);
        var a = CompletableFuture.supplyAsync(() -> statuses(pull(model)));
        var b = CompletableFuture.supplyAsync(() -> statuses(pull(sibling)));
        var c = CompletableFuture.supplyAsync(() -> statuses(pull(model)));
        for (var f : List.of(a, b, c)) assertEquals("success", f.get(60, TimeUnit.SECONDS).getLast());
        assertEquals(before + 1, registry.blobGets(weights), "one download shared by three pulls");
    }

    @Test
    void aPullLeftByItsClientResumesOnTheNextPull() throws Exception {
        String model = name("latest");
        Digest weights = registry.modelDigest(REPO, "latest");
        removeModel(model);
        removeBlob(weights);
        LoopbackRegistry.Fault fault = registry.fault(weights);
        fault.pauseAfter = registry.repoFileSize(weights) / 2;
        fault.pause = new CountDownLatch(1);
        var stream = NdjsonClient.post(base, "/api/pull", "{\"model\":\"" + model + "\",\"insecure\":true}");
        assertTrue(fault.paused.await(30, TimeUnit.SECONDS));
        // Read until the server has taken in everything sent before the pause, then leave mid-download.
        while (stream.hasNext()) {
            JsonNode line = stream.next();
            if (weights.toString().equals(line.path("digest").asText())
                    && line.path("completed").asLong() >= fault.pauseAfter) break;
        }
        stream.response().body().close();
        Thread.sleep(1000); // the server notices (a failed write, or its 100 ms client watch) and stops the download
        fault.pause.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !partialRecorded(weights, fault.pauseAfter)) Thread.sleep(20);
        // What arrived is kept as a partial download, invisible as a blob or a model.
        assertTrue(partialRecorded(weights, fault.pauseAfter), "partial download recorded: "
                + StoreCheck.partials(TestStore.root, weights));
        assertFalse(Files.exists(weights.blobPath(TestStore.root)));
        assertFalse(Files.exists(ModelName.parse(model).manifestPath(TestStore.root)));
        StoreCheck.assertConsistent(TestStore.root);
        fault.pause = null;
        assertEquals("success", statuses(pull(model)).getLast());
        assertEquals(fault.pauseAfter, registry.rangeStarts(weights).getLast(), "the next pull resumed where it stopped");
        assertEquals(List.of(), StoreCheck.partials(TestStore.root, weights));
    }

    private boolean partialRecorded(Digest d, long bytes) {
        try {
            var record = d.blobPath(TestStore.root).resolveSibling(d.fileName() + "-partial-0");
            return Files.exists(record) && Files.readString(record).contains("\"Completed\":" + bytes);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void huggingFaceNamesPickTheQuantization() {
        String repo = "hf.co/tester/toy-GGUF";
        assertEquals("success", statuses(pull(repo)).getLast());
        given().body("{\"model\":\"" + repo + "\"}").post("/api/show").then().statusCode(200)
                .body("details.quantization_level", equalTo("Q4_0")).body("details.family", equalTo("llama"));
        List<String> statuses = statuses(pull("huggingface.co/tester/toy-GGUF:q8_0"));
        assertEquals("success", statuses.getLast());
        assertTrue(statuses.contains("pulling " + Digest.of(registry.repoFile("tester/toy-GGUF", "toy-Q8_0.gguf")).hex()
                .substring(0, 12)), statuses.toString());
        given().body("{\"model\":\"huggingface.co/tester/toy-GGUF:Q8_0\"}").post("/api/show").then().statusCode(200)
                .body("details.quantization_level", equalTo("Q8_0"));
        // No template layer: chat goes through the GGUF's own chat template.
        given().body("{\"model\":\"" + repo + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/chat").then().statusCode(200).body("message.role", equalTo("assistant"));
        assertEquals("error: pull model manifest: tester/toy-GGUF has no GGUF file for quantization 'Q2_K'; it has: "
                + "toy-Q4_0.gguf, toy-Q8_0.gguf", statuses(pull(repo + ":Q2_K")).getLast());
        assertEquals("error: pull model manifest: file does not exist", statuses(pull("hf.co/tester/nothing")).getLast());
    }

    @Test
    void aGgufUrlIsStoredAsAModel() {
        String url = registry.base() + "/files/direct/toy-Q8_0.gguf";
        assertEquals("success", statuses(pull(url)).getLast());
        String stored = registry.host() + "/files/toy-Q8_0:latest";
        given().get("/api/tags").then().body("models.name", hasItem(stored));
        given().body("{\"model\":\"" + stored + "\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/generate").then().statusCode(200);
    }
}
