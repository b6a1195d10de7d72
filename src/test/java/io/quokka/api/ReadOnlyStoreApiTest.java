package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.pull.LoopbackRegistry;
import io.quokka.pull.LoopbackResource;
import io.quokka.store.Digest;
import io.quokka.toy.ToyModelSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store's directory read-only ({@code OLLAMA_MODELS} on a read-only volume): what is there is still listed,
 * shown and served; every endpoint that writes answers Ollama's {@code {"error": ...}} (500, or the last line of a
 * stream) and leaves the store exactly as it was, and the server serves on afterwards.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@QuarkusTestResource(LoopbackResource.class)
class ReadOnlyStoreApiTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String REPO = "library/read-only";

    @TestHTTPResource("/")
    URI base;

    @Test
    void aReadOnlyStoreServesWhatItHasAndRefusesWritesWithJsonErrors() throws Exception {
        LoopbackRegistry registry = LoopbackRegistry.shared();
        registry.publishToy(REPO, "latest", ToyModelSpec.tiny().withName("read-only").withSeed(404));
        String pulled = registry.host() + "/" + REPO + ":latest";
        byte[] blob = "bytes nobody has uploaded yet".getBytes(StandardCharsets.UTF_8);

        // Nothing resident: the first generation below loads its model from the read-only store.
        assertEquals(200, send("POST", "api/generate", "{\"model\":\"toy\",\"keep_alive\":0}").statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (send("GET", "api/ps", null).body().contains("\"toy:latest\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Map<String, String> before = ReadOnlyTree.snapshot(TestStore.root);
        List<String> answers = new ArrayList<>();
        try (ReadOnlyTree locked = ReadOnlyTree.lock(TestStore.root)) {
            // Reading and serving.
            var tags = send("GET", "api/tags", null);
            assertEquals(200, tags.statusCode(), tags.body());
            assertTrue(tags.body().contains("\"toy:latest\""), tags.body());
            var show = send("POST", "api/show", "{\"model\":\"toy\"}");
            assertEquals(200, show.statusCode(), show.body());
            assertFalse(send("GET", "api/ps", null).body().contains("\"toy:latest\""));
            assertGenerates("toy"); // a load from the read-only store

            // Writing: Ollama's 500 with the error text.
            answers.add(refused(send("POST", "api/pull",
                    "{\"model\":\"" + pulled + "\",\"insecure\":true,\"stream\":false}")));
            answers.add(lastLineError(send("POST", "api/pull", "{\"model\":\"" + pulled + "\",\"insecure\":true}")));
            answers.add(refused(send("POST", "api/create",
                    "{\"model\":\"ro-made\",\"from\":\"toy\",\"system\":\"Read only.\",\"stream\":false}")));
            answers.add(lastLineError(send("POST", "api/create",
                    "{\"model\":\"ro-made\",\"from\":\"toy\",\"system\":\"Read only.\"}")));
            answers.add(refused(send("POST", "api/copy", "{\"source\":\"toy\",\"destination\":\"ro-copy\"}")));
            answers.add(refused(send("DELETE", "api/delete", "{\"model\":\"toy\"}")));
            answers.add(refused(HTTP.send(HttpRequest.newBuilder(base.resolve("api/blobs/" + Digest.of(blob)))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                    HttpResponse.BodyHandlers.ofString())));
            answers.forEach(a -> System.out.println("read-only store: " + a));
            for (String a : answers) {
                assertTrue(a.matches(".*: (operation not permitted|permission denied|read-only file system)$"),
                        "the file system's reason, as Ollama words it: " + a);
            }
            var ps = send("GET", "api/ps", null);
            assertTrue(ps.body().contains("\"toy:latest\""), "a refused delete leaves the model loaded: " + ps.body());

            // Still serving, the refused delete included.
            assertGenerates("toy");
            var after = send("GET", "api/tags", null);
            assertEquals(200, after.statusCode());
            assertTrue(after.body().contains("\"toy:latest\""), after.body());
            assertFalse(after.body().contains("ro-"), after.body());
            assertTrue(locked.refusesWrites(), "the store stayed read-only throughout");
        }
        assertEquals(before, ReadOnlyTree.snapshot(TestStore.root), "the store is exactly as it was");
        assertGenerates("toy");
    }

    private void assertGenerates(String model) throws Exception {
        var r = send("POST", "api/generate", GenerateApiTest.greedy(model, "hello", 2));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(NdjsonClient.parse(r.body()).path("done").asBoolean(), r.body());
    }

    /** A 500 whose whole body is {@code {"error": "..."}}, a message and not a stack trace. */
    private static String refused(HttpResponse<String> r) {
        assertEquals(500, r.statusCode(), r.body());
        JsonNode body = NdjsonClient.parse(r.body());
        assertEquals(1, body.size(), r.body());
        return clear(body.path("error"), r.body());
    }

    /** A stream that started (200) and ended with an {@code {"error": ...}} line. */
    private static String lastLineError(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        List<String> lines = r.body().lines().filter(l -> !l.isBlank()).toList();
        return clear(NdjsonClient.parse(lines.getLast()).path("error"), r.body());
    }

    private static String clear(JsonNode error, String body) {
        assertTrue(error.isTextual() && !error.asText().isBlank(), body);
        String message = error.asText();
        assertFalse(message.contains("\n") || message.contains("Exception") || message.contains("java."),
                "an error for people, not a stack trace: " + message);
        return message;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
