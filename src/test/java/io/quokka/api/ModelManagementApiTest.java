package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.store.Digest;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Blobs, create, copy, delete and push against the real engine. Each test makes its own models (the store is shared
 * with the other API tests) and deletes nothing it did not make.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class ModelManagementApiTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void blobsUploadHeadAndMismatch() throws IOException {
        byte[] bytes = "some blob bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(bytes);
        given().head("/api/blobs/" + digest).then().statusCode(404);
        given().head("/api/blobs/sha256:xyz").then().statusCode(400);
        given().body(bytes).post("/api/blobs/sha256:nothex").then().statusCode(400)
                .body("error", equalTo("invalid digest format"));

        Digest other = Digest.of("other".getBytes(StandardCharsets.UTF_8));
        given().body(bytes).post("/api/blobs/" + other).then().statusCode(400)
                .body("error", equalTo("digest mismatch, expected \"" + other + "\", got \"" + digest + "\""));
        assertFalse(Files.exists(other.blobPath(TestStore.root)));
        assertFalse(Files.exists(digest.blobPath(TestStore.root)), "a mismatched upload stores nothing");
        assertEquals(List.of(), temporaryFiles(), "no temporary file is left behind");

        given().body(bytes).post("/api/blobs/" + digest).then().statusCode(201);
        given().head("/api/blobs/" + digest).then().statusCode(200);
        given().body(bytes).post("/api/blobs/" + digest).then().statusCode(200);
        assertEquals(new String(bytes, StandardCharsets.UTF_8),
                Files.readString(digest.blobPath(TestStore.root)));
    }

    @Test
    void createFromAnUploadedGgufThenGenerate() throws IOException {
        Digest digest = upload(toyGguf(101));
        List<JsonNode> lines = stream("/api/create", """
                {"model": "made-from-file", "files": {"model.gguf": "%s"},
                 "template": "{{ .Prompt }}", "parameters": {"num_predict": 4, "stop": ["<|im_end|>"]}}"""
                .formatted(digest));
        List<String> statuses = lines.stream().map(l -> l.path("status").asText()).toList();
        assertEquals("parsing GGUF", statuses.getFirst());
        assertTrue(statuses.contains("using existing layer " + digest), statuses.toString());
        assertTrue(statuses.stream().anyMatch(s -> s.startsWith("creating new layer sha256:")), statuses.toString());
        assertEquals(List.of("writing manifest", "success"), statuses.subList(statuses.size() - 2, statuses.size()));

        given().get("/api/tags").then().statusCode(200)
                .body("models.find { it.name == 'made-from-file:latest' }.details.family", equalTo("llama"))
                .body("models.find { it.name == 'made-from-file:latest' }.details.families", hasItem("llama"))
                .body("models.find { it.name == 'made-from-file:latest' }.details.quantization_level",
                        equalTo("Q8_0"));
        given().body("{\"model\":\"made-from-file\",\"prompt\":\"hi\",\"stream\":false}").post("/api/generate")
                .then().statusCode(200).body("done", equalTo(true)).body("eval_count", equalTo(4));
        given().body("{\"model\":\"made-from-file\"}").delete("/api/delete").then().statusCode(200);
    }

    @Test
    void createFromAModelWithTemplateSystemAndParameters() {
        given().body("""
                {"model": "toy-custom", "from": "toy", "template": "{{ .System }} {{ .Prompt }}",
                 "system": "Be brief.", "parameters": {"temperature": 0.25}, "license": ["MIT", "Apache-2.0"],
                 "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
                 "stream": false}""").post("/api/create").then().statusCode(200)
                .body("status", equalTo("success"));
        given().body("{\"model\":\"toy-custom\"}").post("/api/show").then().statusCode(200)
                .body("template", equalTo("{{ .System }} {{ .Prompt }}"))
                .body("system", equalTo("Be brief."))
                .body("parameters", containsString("temperature                    0.25"))
                .body("parameters", containsString("stop")) // kept from toy's params layer
                .body("license", equalTo("MIT\nApache-2.0"))
                .body("details.parent_model", equalTo("toy:latest"))
                .body("details.family", equalTo("llama"))
                .body("modelfile", containsString("MESSAGE assistant Hello"));
        given().body("{\"model\":\"toy-custom\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":2}}")
                .post("/api/generate").then().statusCode(200).body("done", equalTo(true));
        given().body("{\"model\":\"toy-custom\"}").delete("/api/delete").then().statusCode(200);
        given().body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200)
                .body("system", emptyOrNullString());
    }

    @Test
    void refusedCreatesLeaveTheStoreAsItWas() throws IOException {
        Digest junk = upload("GGUF\u0003\u0000\u0000\u0000 not really a model".getBytes(StandardCharsets.ISO_8859_1));
        Digest text = upload("just some text, no magic".getBytes(StandardCharsets.UTF_8));
        List<String> before = storeFiles();
        given().body("{\"model\":\"corrupt\",\"files\":{\"model.gguf\":\"" + junk + "\"}}").post("/api/create")
                .then().statusCode(400).body("error", containsString("invalid GGUF in file \"model.gguf\""));
        given().body("{\"model\":\"corrupt\",\"files\":{\"x.gguf\":\"" + text + "\"}}").post("/api/create")
                .then().statusCode(400).body("error", equalTo("supplied file was not in GGUF format"));
        given().body("{\"model\":\"corrupt\",\"files\":{\"../x.gguf\":\"" + junk + "\"}}").post("/api/create")
                .then().statusCode(400).body("error", equalTo("file path must be relative"));
        String missing = Digest.of(new byte[] {1, 2, 3}).toString();
        given().body("{\"model\":\"corrupt\",\"files\":{\"m.gguf\":\"" + missing + "\"}}").post("/api/create")
                .then().statusCode(400).body("error", containsString("not found"));
        given().body("{\"model\":\"corrupt\",\"from\":\"toy\",\"template\":\"{{ .Prompt \"}").post("/api/create")
                .then().statusCode(400).body("error", containsString("template error"));
        given().body("{\"model\":\"corrupt\",\"from\":\"toy\",\"parameters\":{\"temperature\":\"hot\"}}")
                .post("/api/create").then().statusCode(400).body("error", not(emptyOrNullString()));
        given().body("{\"model\":\"corrupt\",\"from\":\"toy\",\"quantize\":\"q4_K_M\"}").post("/api/create")
                .then().statusCode(400).body("error", containsString("quantize is not supported"));
        given().body("{\"model\":\"corrupt\",\"from\":\"toy\",\"adapters\":{\"a.gguf\":\"" + junk + "\"}}")
                .post("/api/create").then().statusCode(400).body("error", containsString("adapters"));
        given().body("{\"model\":\"corrupt\"}").post("/api/create").then().statusCode(400)
                .body("error", equalTo("neither 'from' or 'files' was specified"));
        given().body("{\"model\":\"corrupt\",\"from\":\"nope\"}").post("/api/create").then().statusCode(404)
                .body("error", equalTo("model 'nope' not found"));
        given().body("{\"model\":\"bad name!\",\"from\":\"toy\"}").post("/api/create").then().statusCode(400)
                .body("error", equalTo("invalid model name"));
        given().post("/api/create").then().statusCode(400).body("error", equalTo("missing request body"));
        assertEquals(before, storeFiles());
    }

    @Test
    void copyThenGenerate() {
        given().body("{\"source\":\"toy\",\"destination\":\"toy-copy\"}").post("/api/copy").then().statusCode(200);
        String digest = given().get("/api/tags").then().extract().path("models.find { it.name == 'toy:latest' }.digest");
        given().get("/api/tags").then()
                .body("models.find { it.name == 'toy-copy:latest' }.digest", equalTo(digest));
        given().body("{\"model\":\"toy-copy\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/generate").then().statusCode(200).body("eval_count", equalTo(3));
        given().body("{\"source\":\"nope\",\"destination\":\"x\"}").post("/api/copy").then().statusCode(404)
                .body("error", equalTo("model \"nope\" not found"));
        given().body("{\"source\":\"toy\",\"destination\":\"a/b/c/d/e\"}").post("/api/copy").then().statusCode(400)
                .body("error", equalTo("destination \"a/b/c/d/e\" is invalid"));
        given().body("{\"source\":\"\",\"destination\":\"x\"}").post("/api/copy").then().statusCode(400)
                .body("error", equalTo("source \"\" is invalid"));
        given().body("{\"model\":\"toy-copy\"}").delete("/api/delete").then().statusCode(200);
        assertTrue(Files.exists(TestStore.root.resolve("manifests/registry.ollama.ai/library/toy/latest")));
    }

    @Test
    void deletePrunesOnlyBlobsNothingElseReferences() throws IOException {
        Digest model = upload(toyGguf(202));
        given().body("{\"model\":\"solo\",\"files\":{\"m.gguf\":\"" + model + "\"},\"system\":\"solo system\","
                + "\"stream\":false}").post("/api/create").then().statusCode(200);
        given().body("{\"source\":\"solo\",\"destination\":\"solo-twin\"}").post("/api/copy").then().statusCode(200);
        List<String> toyBlobs = blobsOf("toy");

        given().body("{\"model\":\"solo\"}").delete("/api/delete").then().statusCode(200).body(emptyOrNullString());
        assertTrue(Files.exists(model.blobPath(TestStore.root)), "still referenced by solo-twin");
        given().body("{\"model\":\"solo\"}").post("/api/show").then().statusCode(404);

        List<String> twinBlobs = blobsOf("solo-twin");
        given().body("{\"name\":\"SOLO-TWIN\"}").delete("/api/delete").then().statusCode(200);
        assertFalse(Files.exists(model.blobPath(TestStore.root)), "pruned once unreferenced");
        List<String> stillReferenced = referencedBlobs();
        for (String blob : twinBlobs) {
            assertEquals(stillReferenced.contains(blob), Files.exists(TestStore.root.resolve("blobs").resolve(blob)),
                    blob + " kept exactly when another manifest references it");
        }
        for (String blob : toyBlobs) assertTrue(Files.exists(TestStore.root.resolve("blobs").resolve(blob)), blob);

        given().body("{\"model\":\"solo\"}").delete("/api/delete").then().statusCode(404)
                .body("error", equalTo("model 'solo' not found"));
        given().body("{\"model\":\"no:pe:x\"}").delete("/api/delete").then().statusCode(400)
                .body("error", equalTo("name \"no:pe:x\" is invalid"));
        given().delete("/api/delete").then().statusCode(400).body("error", equalTo("missing request body"));
    }

    @Test
    void deletingTheResidentModelUnloadsIt() {
        given().body("{\"source\":\"toy\",\"destination\":\"resident-victim\"}").post("/api/copy").then()
                .statusCode(200);
        // The copy shares toy's blob, and a runner is keyed by its blob (as Ollama's): were toy still resident from
        // an earlier class, the copy would be served by toy's runner and listed as toy. Start from nothing resident.
        for (String name : given().get("/api/ps").then().extract().jsonPath().<String>getList("models.name")) {
            given().body("{\"model\":\"" + name + "\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        }
        given().body("{\"model\":\"resident-victim\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":\"10m\","
                + "\"options\":{\"num_predict\":2}}").post("/api/generate").then().statusCode(200);
        given().get("/api/ps").then().body("models.name", hasItem("resident-victim:latest"));
        given().body("{\"model\":\"resident-victim\"}").delete("/api/delete").then().statusCode(200);
        given().get("/api/ps").then().statusCode(200).body("models.name", not(hasItem("resident-victim:latest")));
    }

    @Test
    void pushIsNotImplemented() {
        given().body("{\"model\":\"toy\"}").post("/api/push").then().statusCode(501)
                .body("error", containsString("push is not implemented"));
        given().body("{}").post("/api/push").then().statusCode(400).body("error", equalTo("model is required"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static byte[] toyGguf(long seed) throws IOException {
        Path file = Files.createTempFile("upload-", ".gguf");
        try {
            ToyModel.write(ToyModelSpec.tiny().withSeed(seed), file);
            return Files.readAllBytes(file);
        } finally {
            Files.delete(file);
        }
    }

    static Digest upload(byte[] bytes) {
        Digest digest = Digest.of(bytes);
        int status = given().body(bytes).post("/api/blobs/" + digest).then().extract().statusCode();
        assertTrue(status == 201 || status == 200, "upload answered " + status);
        return digest;
    }

    private List<JsonNode> stream(String path, String body) {
        var s = NdjsonClient.post(URI.create(base.toString()), path.substring(1), body);
        assertEquals(200, s.response().statusCode());
        assertEquals("application/x-ndjson", s.contentType());
        List<JsonNode> lines = new ArrayList<>();
        while (s.hasNext()) lines.add(s.next());
        return lines;
    }

    private static List<String> blobsOf(String model) {
        try {
            var manifest = NdjsonClient.JSON.readTree(TestStore.root
                    .resolve("manifests/registry.ollama.ai/library/" + model + "/latest").toFile());
            List<String> out = new ArrayList<>();
            out.add(manifest.path("config").path("digest").asText().replace(':', '-'));
            manifest.path("layers").forEach(l -> out.add(l.path("digest").asText().replace(':', '-')));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every blob some manifest in the store references, as file names. */
    private static List<String> referencedBlobs() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TestStore.root.resolve("manifests"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                var manifest = NdjsonClient.JSON.readTree(f.toFile());
                out.add(manifest.path("config").path("digest").asText().replace(':', '-'));
                manifest.path("layers").forEach(l -> out.add(l.path("digest").asText().replace(':', '-')));
            }
        }
        return out;
    }

    private static List<String> storeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(TestStore.root)) {
            return files.filter(Files::isRegularFile).map(p -> TestStore.root.relativize(p).toString()).sorted()
                    .toList();
        }
    }

    private static List<String> temporaryFiles() throws IOException {
        return storeFiles().stream().filter(f -> f.contains("tmp")).toList();
    }
}
