package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
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
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests against every endpoint, on the default profile and the real engine: model names that try to
 * leave the store (through symbolic links an operator planted too) and corrupt model files. Every answer is a 4xx
 * {@code {"error":...}} or a valid 200; never a stack trace or a dead server. Generated malformed bodies are
 * {@code io.quokka.RequestFuzzIT}'s properties, against the packaged server.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class HostileInputApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String SECRET = "TOPSECRET-root:x:0:0";

    @TestHTTPResource("/")
    URI base;

    /** An endpoint that takes a model name: how a request for {@code name} is made. Adding one is one line. */
    record NameEndpoint(String label, Function<String, HttpRequest.Builder> request) {}

    static List<NameEndpoint> nameEndpoints(URI base) {
        return List.of(
                post(base, "/api/show", n -> Map.of("model", n)),
                post(base, "/api/generate", n -> Map.of("model", n, "prompt", "hi", "stream", false,
                        "options", Map.of("num_predict", 1))),
                post(base, "/api/chat", n -> Map.of("model", n, "stream", false, "options", Map.of("num_predict", 1),
                        "messages", List.of(Map.of("role", "user", "content", "hi")))),
                post(base, "/api/embed", n -> Map.of("model", n, "input", "hi")),
                post(base, "/api/embeddings", n -> Map.of("model", n, "prompt", "hi")),
                post(base, "/v1/chat/completions", n -> Map.of("model", n, "max_tokens", 1,
                        "messages", List.of(Map.of("role", "user", "content", "hi")))),
                post(base, "/v1/completions", n -> Map.of("model", n, "prompt", "hi", "max_tokens", 1)),
                post(base, "/v1/embeddings", n -> Map.of("model", n, "input", "hi")),
                post(base, "/api/create", n -> Map.of("model", "hostile-created", "from", n, "stream", false)),
                post(base, "/api/create", n -> Map.of("model", n, "from", "toy", "stream", false)),
                post(base, "/api/copy", n -> Map.of("source", n, "destination", "hostile-copy")),
                post(base, "/api/copy", n -> Map.of("source", "toy", "destination", n)),
                new NameEndpoint("DELETE /api/delete", n -> HttpRequest.newBuilder(base.resolve("api/delete"))
                        .method("DELETE", HttpRequest.BodyPublishers.ofByteArray(json(Map.of("model", n))))),
                new NameEndpoint("POST /api/blobs/{digest}", n -> HttpRequest.newBuilder(
                        URI.create(base + "api/blobs/" + pathEscape(n))).POST(HttpRequest.BodyPublishers.ofString("x"))),
                new NameEndpoint("GET /v1/models/{name}", n -> HttpRequest.newBuilder(
                        URI.create(base + "v1/models/" + pathEscape(n))).GET()),
                new NameEndpoint("GET /v1/models/{raw name}", n -> HttpRequest.newBuilder(
                        URI.create(base + "v1/models/" + n)).GET()));
    }

    static NameEndpoint post(URI base, String path, Function<String, Object> body) {
        return new NameEndpoint("POST " + path, n -> HttpRequest.newBuilder(base.resolve(path.substring(1)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body.apply(n)))));
    }

    static final List<String> ESCAPES = List.of(
            "..", "../toy", "../../../../etc/passwd", "toy/../../../../etc/passwd", "/etc/passwd", "/etc/passwd:latest",
            "registry.ollama.ai/library/../../../../etc:passwd", "..%2F..%2F..%2Fetc%2Fpasswd",
            "%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "toy%00", "toy\u0000", "\u0000",
            "toy:latest\u0000/../../x", "toy\\..\\..\\windows", "C:\\Windows\\win.ini", "file:///etc/passwd",
            "~/.ssh/id_rsa", "toy@sha256:" + "0".repeat(64), "sha256:../../etc/passwd", "blobs/sha256-" + "0".repeat(64),
            "manifests/registry.ollama.ai/library/toy/latest", "toy:../../../x", "toy:..", ".:.", "./toy", "toy/.",
            "a".repeat(81), "t".repeat(100_000), "h".repeat(351) + "/ns/model", "toy:" + "t".repeat(81),
            "ns/" + "n".repeat(81) + "/m", "\u202etoy", "toy\u2028", "tоy" /* Cyrillic o */, "toy\n", " toy", "toy ",
            "escape", "linkedblob");

    @Test
    void noModelNameLeavesTheStore() throws Exception {
        Path outside = Files.createTempFile("quokka-outside-", ".txt");
        Files.writeString(outside, SECRET + "\n");
        Path manifests = TestStore.root.resolve("manifests/registry.ollama.ai/library");
        List<Path> planted = plantSymlinks(manifests, outside);
        int cases = 0;
        try {
            for (NameEndpoint endpoint : nameEndpoints(base)) {
                for (String name : ESCAPES) {
                    HttpRequest request;
                    if (endpoint.label().contains("{") && name.length() > 2000) continue; // over the 4 KiB request line
                    try {
                        request = endpoint.request().apply(name).timeout(Duration.ofSeconds(60)).build();
                    } catch (IllegalArgumentException notAUri) {
                        continue; // the client itself refuses to send it
                    }
                    var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                    cases++;
                    String where = endpoint.label() + " with " + printable(name);
                    String body = response.body();
                    assertTrue(!body.contains("TOPSECRET") && !body.contains("root:x:0"), where + " leaked: " + body);
                    int status = response.statusCode();
                    boolean linked = name.equals("escape") || name.equals("linkedblob");
                    if (endpoint.label().contains("raw") && status == 200) {
                        // dot segments in a raw URL path are removed before routing: "./toy" is the path of toy
                        String id = JSON.readTree(body).path("id").asText();
                        assertTrue(List.of("toy", "linkedblob").contains(id), where + ": " + body);
                        continue;
                    }
                    boolean writes = endpoint.label().contains("/api/create") || endpoint.label().contains("/api/copy")
                            || endpoint.label().contains("/api/delete");
                    if (writes && status == 200) {
                        // Accepted only as a name inside the store (the grammar drops a scheme: "file:///etc/passwd"
                        // names etc/passwd); nothing outside is touched, checked after the loop.
                        continue;
                    }
                    if (linked && writes) {
                        // A valid name whose manifest is an operator's link: the write replaces the link (checked
                        // below: the file it pointed to is unchanged) or is refused.
                        assertTrue(status < 500 || JSON.readTree(body).has("error"), where + ": " + status + " " + body);
                        continue;
                    }
                    if (linked) {
                        // The operator's own links are followed; what they hold is never echoed (GET /v1/models/{name}
                        // reads only the manifest: linkedblob is listed).
                        assertTrue(status == 200 || status == 400 || status == 404 || status == 500, where + ": " + status + " " + body);
                        assertTrue(status == 200 || JSON.readTree(body).has("error"), where + ": " + body);
                    } else {
                        assertTrue(status == 400 || status == 404, where + ": " + status + " " + body);
                        assertError(where, response);
                    }
                }
            }
            assertEquals(SECRET + "\n", Files.readString(outside), "a file outside the store was written");
        } finally {
            for (Path p : planted) Files.deleteIfExists(p);
            var writer = new io.quokka.store.StoreWriter(TestStore.root, true);
            List<String> made = new ArrayList<>(List.of("hostile-created", "hostile-copy"));
            made.addAll(ESCAPES);
            for (String m : made) {
                if (m.equals("escape") || m.equals("linkedblob") || m.equals("toy")) continue;
                try {
                    writer.delete(io.quokka.store.ModelName.parse(m));
                } catch (RuntimeException ignored) {
                    // not created
                }
            }
            Files.deleteIfExists(outside);
        }
        System.out.printf("path escapes: %d cases tried, failures: 0%n", cases);
        assertAlive();
    }

    /** escape:latest → a manifest that is a link to a file outside; linkedblob → a model blob that is one. */
    private static List<Path> plantSymlinks(Path manifests, Path outside) throws IOException {
        List<Path> planted = new ArrayList<>();
        Path escape = Files.createDirectories(manifests.resolve("escape"));
        planted.add(Files.createSymbolicLink(escape.resolve("latest"), outside));
        planted.add(escape);
        Path toyManifest = manifests.resolve("toy/latest");
        String manifest = Files.readString(toyManifest);
        JsonNode tree = JSON.readTree(manifest);
        String modelDigest = null;
        for (JsonNode layer : tree.get("layers")) {
            if (layer.get("mediaType").asText().endsWith(".model")) modelDigest = layer.get("digest").asText();
        }
        String fake = "sha256:" + "ab".repeat(32);
        Path blob = TestStore.root.resolve("blobs/sha256-" + "ab".repeat(32));
        planted.add(0, Files.createSymbolicLink(blob, outside));
        Path linked = Files.createDirectories(manifests.resolve("linkedblob"));
        Path linkedManifest = Files.writeString(linked.resolve("latest"), manifest.replace(modelDigest, fake));
        planted.add(0, linkedManifest);
        planted.add(linked);
        return planted;
    }

    // --- corrupt models ---

    @Test
    void corruptModelsGetAnErrorAndTheServerKeepsServing() throws Exception {
        Path dir = Files.createTempDirectory("quokka-corrupt-");
        Path valid = dir.resolve("valid.gguf");
        io.quokka.toy.ToyModelSpec spec = io.quokka.toy.ToyModelSpec.tiny();
        io.quokka.toy.ToyModel.write(spec, valid);
        var writer = new io.quokka.store.StoreWriter(TestStore.root, true);
        Map<String, String> outcomes = new java.util.LinkedHashMap<>();
        List<io.quokka.store.ModelName> created = new ArrayList<>();
        try {
            for (var fault : io.quokka.gguf.CorruptModels.faults(spec.embeddingLength(), spec.vocabSize()).entrySet()) {
                Path file = dir.resolve(fault.getKey() + ".gguf");
                io.quokka.gguf.CorruptModels.write(valid, fault.getValue(), file);
                var name = io.quokka.store.ModelName.parse("corrupt-" + fault.getKey());
                writer.create(name, file, java.util.Optional.empty(), java.util.Optional.empty(), Map.of(),
                        io.quokka.store.ModelConfig.gguf("llama", "1M", "Q8_0"));
                created.add(name);
                long t0 = System.nanoTime();
                var response = HTTP.send(HttpRequest.newBuilder(base.resolve("api/generate"))
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(GenerateApiTest.greedy(name.model(), "hi", 1))).build(),
                        HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                String body = response.body();
                outcomes.put(fault.getKey(), response.statusCode() + " in " + ms + " ms: " + abbreviate(body));
                assertTrue(response.statusCode() == 500 || response.statusCode() == 400,
                        fault.getKey() + " answered " + response.statusCode() + " " + body);
                assertTrue(JSON.readTree(body).path("error").isTextual(), fault.getKey() + ": " + body);
                assertAlive();
            }
        } finally {
            for (var name : created) writer.delete(name);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
            outcomes.forEach((k, v) -> System.out.printf("  corrupt %s: %s%n", k, v));
        }
        System.out.printf("corrupt models: %d cases tried, failures: 0%n", outcomes.size());
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    static String judge(HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body();
        if (body.contains("\tat ") || body.contains("Exception:") || body.contains("java.lang.")) {
            return status + " with a stack trace or exception text: " + abbreviate(body);
        }
        if (status >= 500) return status + " " + abbreviate(body);
        if (status >= 400) {
            try {
                JsonNode error = JSON.readTree(body).get("error");
                if (error == null || !(error.isTextual() || error.isObject() && error.path("message").isTextual())) {
                    return status + " without an error: " + abbreviate(body);
                }
                String message = error.isTextual() ? error.asText() : error.get("message").asText();
                if (message.isBlank()) return status + " with an empty error";
            } catch (IOException e) {
                return status + " not JSON: " + abbreviate(body);
            }
            return null;
        }
        if (status != 200) return "unexpected status " + status;
        // 200: one JSON document, NDJSON lines, or SSE "data:" lines
        for (String line : body.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.equals("data: [DONE]") || l.startsWith(":")) continue;
            if (l.startsWith("data: ")) l = l.substring(6);
            try {
                JsonNode node = JSON.readTree(l);
                if (node.has("error")) return "200 carrying an error: " + abbreviate(l);
            } catch (IOException e) {
                if (body.equals("Ollama is running")) return null;
                return "200 with a body that is not JSON: " + abbreviate(body);
            }
        }
        return null;
    }

    private void assertAlive() throws Exception {
        var version = HTTP.send(HttpRequest.newBuilder(base.resolve("api/version")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, version.statusCode());
        var generate = HTTP.send(HttpRequest.newBuilder(base.resolve("api/generate")).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(GenerateApiTest.greedy("toy", "still there?", 2))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, generate.statusCode(), generate.body());
    }

    static void assertError(String where, HttpResponse<String> response) {
        String problem = judge(response);
        if (problem != null) fail(where + ": " + problem);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pathEscape(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String printable(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + ")" : s;
        StringBuilder sb = new StringBuilder();
        shown.codePoints().forEach(c -> sb.append(c < 0x20 || c == 0x7f ? "\\u%04x".formatted(c)
                : new String(Character.toChars(c))));
        return sb.toString();
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
