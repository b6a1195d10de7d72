package io.quokka.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OllamaStoreTest {

    static final String CONFIG = """
            {"model_format":"gguf","model_family":"qwen2","model_families":["qwen2"],"model_type":"494.03M",\
            "file_type":"Q4_K_M","renderer":"","parser":"","unknown_future_field":{"x":1},\
            "architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""";
    static final String TEMPLATE = "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}";
    static final String SYSTEM = "You are a helpful assistant.";
    static final String LICENSE_1 = "Apache License\nVersion 2.0";
    static final String LICENSE_2 = "Additional terms";
    static final String PARAMS = """
            {"stop":["<|im_start|>","<|im_end|>"],"temperature":0.7,"num_ctx":4096,"top_k":20}""";
    static final String MESSAGES = """
            [{"role":"USER","content":"hi"},{"role":"assistant","content":"hello!","tool_calls":[]}]""";
    static final String WEIGHTS = "GGUF fake weights";

    @TempDir
    Path root;
    StoreFixture fx;
    OllamaStore store;

    String configDigest;
    String modelDigest;
    String templateDigest;
    String qwenManifest;

    @BeforeEach
    void setUp() {
        fx = new StoreFixture(root);
        store = new OllamaStore(root);
        configDigest = fx.blob(CONFIG);
        modelDigest = fx.blob(WEIGHTS);
        templateDigest = fx.blob(TEMPLATE);
        // As the registry serves it (and Ollama stores it verbatim): compact, no trailing newline.
        qwenManifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
                "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"%s","size":%d},\
                "layers":[\
                {"mediaType":"application/vnd.ollama.image.model","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.template","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.system","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.license","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.license","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.params","digest":"%s","size":%d},\
                {"mediaType":"application/vnd.ollama.image.messages","digest":"%s","size":%d}]}"""
                .formatted(configDigest, size(CONFIG), modelDigest, size(WEIGHTS), templateDigest, size(TEMPLATE),
                        fx.blob(SYSTEM), size(SYSTEM), fx.blob(LICENSE_1), size(LICENSE_1), fx.blob(LICENSE_2),
                        size(LICENSE_2), fx.blob(PARAMS), size(PARAMS), fx.blob(MESSAGES), size(MESSAGES));
        fx.manifest("registry.ollama.ai/library/qwen2.5/0.5b", qwenManifest);
    }

    static int size(String s) {
        return StoreFixture.size(s);
    }

    /** A minimal manifest: config and model layer only, pretty-printed as Ollama's own writer never does. */
    String minimalManifest() {
        return """
                {
                  "schemaVersion": 2,
                  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                  "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "%s", "size": %d},
                  "layers": [
                    {"mediaType": "application/vnd.ollama.image.model", "digest": "%s", "size": %d, "from": "/x/y"}
                  ]
                }
                """.formatted(configDigest, size(CONFIG), modelDigest, size(WEIGHTS));
    }

    StoredModel qwen() {
        return store.find(ModelName.parse("qwen2.5:0.5b")).orElseThrow();
    }

    @Test
    void findsAndReadsEveryLayer() throws IOException {
        StoredModel m = qwen();
        assertEquals("qwen2.5:0.5b", m.name().displayShortest());
        assertEquals(sha256(qwenManifest), m.digest());
        assertEquals(size(CONFIG) + size(WEIGHTS) + size(TEMPLATE) + size(SYSTEM) + size(LICENSE_1)
                + size(LICENSE_2) + size(PARAMS) + size(MESSAGES), m.size(), "config size counts, as in Ollama");
        assertEquals(Files.getLastModifiedTime(ModelName.parse("qwen2.5:0.5b").manifestPath(root)).toInstant(),
                m.modifiedAt());

        assertEquals("gguf", m.config().modelFormat());
        assertEquals("qwen2", m.config().modelFamily());
        assertEquals(List.of("qwen2"), m.config().modelFamilies());
        assertEquals("494.03M", m.config().modelType());
        assertEquals("Q4_K_M", m.config().fileType());
        assertEquals("", m.config().renderer());
        assertTrue(m.config().isGguf());

        assertEquals(root.resolve("blobs").resolve(Digest.parse(modelDigest).fileName()), m.modelBlob());
        assertEquals(WEIGHTS, Files.readString(m.modelBlob()));
        assertEquals(TEMPLATE, m.template().orElseThrow());
        assertEquals(SYSTEM, m.system().orElseThrow());
        assertEquals(List.of(LICENSE_1, LICENSE_2), m.license());
        Map<String, Object> params = m.params();
        assertEquals(List.of("stop", "temperature", "num_ctx", "top_k"), List.copyOf(params.keySet()));
        assertEquals(List.of("<|im_start|>", "<|im_end|>"), params.get("stop"));
        assertEquals(0.7, params.get("temperature"));
        assertEquals(4096, params.get("num_ctx"));
        assertEquals(List.of(new ModelMessage("user", "hi"), new ModelMessage("assistant", "hello!")), m.messages());
        assertFalse(m.hasProjector());
        assertEquals(List.of(), m.adapters());
        assertTrue(m.parentModel().isEmpty());
    }

    @Test
    void absentLayersAreEmpty() {
        fx.manifest("registry.ollama.ai/library/tiny/latest", minimalManifest());
        StoredModel m = store.find(ModelName.parse("tiny")).orElseThrow();
        assertTrue(m.template().isEmpty());
        assertTrue(m.system().isEmpty());
        assertEquals(List.of(), m.license());
        assertEquals(Map.of(), m.params());
        assertEquals(List.of(), m.messages());
        assertEquals("/x/y", m.parentModel().orElseThrow());
        assertEquals(sha256(minimalManifest()), m.digest());
    }

    @Test
    void findIgnoresCase() {
        fx.manifest("registry.ollama.ai/library/Llama3/Latest", minimalManifest());
        StoredModel m = store.find(ModelName.parse("llama3")).orElseThrow();
        assertEquals("Llama3:Latest", m.name().displayShortest(), "the name as written on disk");
        assertTrue(store.find(ModelName.parse("REGISTRY.OLLAMA.AI/LIBRARY/LLAMA3:LATEST")).isPresent());
        assertTrue(store.find(ModelName.parse("Qwen2.5:0.5B")).isPresent());
        assertTrue(store.find(ModelName.parse("llama3:8b")).isEmpty());
        assertTrue(store.find(ModelName.parse("other/llama3")).isEmpty());
    }

    @Test
    void exactCaseWinsOverOtherSpellings() {
        fx.manifest("registry.ollama.ai/library/MiXed/latest", minimalManifest());
        fx.manifest("registry.ollama.ai/library/mixed/latest", qwenManifest);
        assertEquals("mixed", store.find(ModelName.parse("mixed")).orElseThrow().name().model());
        assertEquals("MiXed", store.find(ModelName.parse("MiXed")).orElseThrow().name().model());
        assertEquals("MiXed", store.resolve(ModelName.parse("MIXED")).orElseThrow().model(), "then sorted order");
    }

    @Test
    void listsAllModelsNewestFirst() throws IOException {
        Path tiny = fx.manifest("registry.ollama.ai/library/tiny/latest", minimalManifest());
        Path other = fx.manifest("example.com:5000/team/custom/v1", minimalManifest());
        Path ns = fx.manifest("registry.ollama.ai/someone/model/q8", minimalManifest());
        Path qwen = ModelName.parse("qwen2.5:0.5b").manifestPath(root);
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        Files.setLastModifiedTime(qwen, FileTime.from(t));
        Files.setLastModifiedTime(tiny, FileTime.from(t.plusSeconds(30)));
        Files.setLastModifiedTime(other, FileTime.from(t.plusSeconds(10)));
        Files.setLastModifiedTime(ns, FileTime.from(t.plusSeconds(20)));

        List<String> names = store.list().stream().map(m -> m.name().displayShortest()).toList();
        assertEquals(List.of("tiny:latest", "someone/model:q8", "example.com:5000/team/custom:v1", "qwen2.5:0.5b"),
                names);
        assertEquals(t, store.list().get(3).modifiedAt());
    }

    @Test
    void listSkipsWhatIsNotAModel() throws IOException {
        String ok = minimalManifest();
        fx.manifest("registry.ollama.ai/library/bad name/latest", ok);
        fx.manifest("registry.ollama.ai/library/-dash/latest", ok);
        fx.manifest("registry.ollama.ai/library/ok/.hidden", ok);
        fx.manifest("registry.ollama.ai/library/ok/tag.tmp~", ok);
        fx.manifest("registry.ollama.ai/library/too/deep/latest", ok);
        fx.manifest("registry.ollama.ai/library/shallow", ok);
        fx.manifest("registry.ollama.ai/.DS_Store", "junk");
        fx.manifest("registry.ollama.ai/library/" + "x".repeat(81) + "/latest", ok);
        fx.manifest("registry.ollama.ai/library/broken/latest", "{\"schemaVersion\":2,");
        fx.manifest("registry.ollama.ai/library/empty/latest", "");
        fx.manifest("registry.ollama.ai/library/null/latest", "null");
        fx.manifest("registry.ollama.ai/library/array/latest", "[]");
        fx.manifest("registry.ollama.ai/library/baddigest/latest",
                ok.replace(modelDigest, "sha256:../../etc/passwd"));
        fx.manifest("registry.ollama.ai/library/noconfig/latest",
                ok.replace(configDigest, Digest.of(new byte[] {42}).toString()));
        Files.createDirectories(root.resolve("manifests/registry.ollama.ai/library/dironly/latest"));

        List<String> names = store.list().stream().map(m -> m.name().displayShortest()).sorted().toList();
        assertEquals(List.of("qwen2.5:0.5b"), names);
    }

    @Test
    void missingBlobIsNamed() throws IOException {
        Files.delete(Digest.parse(templateDigest).blobPath(root));
        StoredModel m = qwen();
        var e = assertThrows(StoreException.class, m::template);
        assertEquals(StoreException.Kind.MISSING_BLOB, e.kind());
        assertTrue(e.getMessage().contains(templateDigest), e.getMessage());
        assertTrue(e.getMessage().contains("template layer of model 'qwen2.5:0.5b'"), e.getMessage());
        assertEquals(SYSTEM, m.system().orElseThrow(), "other layers still read");

        Files.delete(Digest.parse(modelDigest).blobPath(root));
        var e2 = assertThrows(StoreException.class, m::modelBlob);
        assertEquals(StoreException.Kind.MISSING_BLOB, e2.kind());
        assertTrue(e2.getMessage().contains(modelDigest), e2.getMessage());
    }

    @Test
    void missingConfigBlobFailsFind() throws IOException {
        Files.delete(Digest.parse(configDigest).blobPath(root));
        var e = assertThrows(StoreException.class, this::qwen);
        assertEquals(StoreException.Kind.MISSING_BLOB, e.kind());
        assertTrue(e.getMessage().contains(configDigest), e.getMessage());
        assertEquals(List.of(), store.list(), "and list skips it, as /api/tags does");
    }

    @Test
    void malformedManifestFailsFind() {
        fx.manifest("registry.ollama.ai/library/broken/latest", "{\"schemaVersion\":2,\"layers\":[{");
        var e = assertThrows(StoreException.class, () -> store.find(ModelName.parse("broken")));
        assertEquals(StoreException.Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("broken"), e.getMessage());

        fx.manifest("registry.ollama.ai/library/noconfig/latest", "{\"schemaVersion\":2,\"layers\":[]}");
        assertEquals(StoreException.Kind.MALFORMED,
                assertThrows(StoreException.class, () -> store.find(ModelName.parse("noconfig"))).kind());
    }

    @Test
    void malformedJsonBlobs() {
        String badParams = fx.blob("{\"stop\":");
        String badMessages = fx.blob("{\"role\":\"user\"}");
        fx.manifest("registry.ollama.ai/library/badjson/latest", qwenManifest
                .replaceAll("(params\",\"digest\":\")[^\"]+", "$1" + badParams)
                .replaceAll("(messages\",\"digest\":\")[^\"]+", "$1" + badMessages));
        StoredModel m = store.find(ModelName.parse("badjson")).orElseThrow();
        assertEquals(StoreException.Kind.MALFORMED, assertThrows(StoreException.class, m::params).kind());
        assertEquals(StoreException.Kind.MALFORMED, assertThrows(StoreException.class, m::messages).kind());
        assertEquals(TEMPLATE, m.template().orElseThrow());
    }

    @Test
    void noModelLayer() {
        fx.manifest("registry.ollama.ai/library/nomodel/latest", """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
                "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"%s","size":1},\
                "layers":[]}""".formatted(configDigest));
        var e = assertThrows(StoreException.class,
                () -> store.find(ModelName.parse("nomodel")).orElseThrow().modelBlob());
        assertEquals(StoreException.Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("no model layer"), e.getMessage());
    }

    @Test
    void legacyPromptLayerAndProjectorsAndAdapters() {
        String prompt = fx.blob("{{ .Prompt }}");
        String projector = fx.blob("projector");
        String adapter = fx.blob("adapter");
        fx.manifest("registry.ollama.ai/library/llava/latest", """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
                "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"%s","size":1},\
                "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"%s","size":1},\
                {"mediaType":"application/vnd.ollama.image.projector","digest":"%s","size":1},\
                {"mediaType":"application/vnd.ollama.image.adapter","digest":"%s","size":1},\
                {"mediaType":"application/vnd.ollama.image.prompt","digest":"%s","size":1},\
                {"mediaType":"application/vnd.ollama.image.embed","digest":"%s","size":1}]}"""
                .formatted(configDigest, modelDigest, projector, adapter, prompt, prompt));
        StoredModel m = store.find(ModelName.parse("llava")).orElseThrow();
        assertEquals("{{ .Prompt }}", m.template().orElseThrow());
        assertTrue(m.hasProjector());
        assertEquals(List.of(Digest.parse(projector).blobPath(root)), m.projectors());
        assertEquals(List.of(Digest.parse(adapter).blobPath(root)), m.adapters());
    }

    @Test
    void emptyOrMissingStore(@TempDir Path elsewhere) {
        Path missing = elsewhere.resolve("nope");
        OllamaStore empty = new OllamaStore(missing);
        assertEquals(List.of(), empty.list());
        assertTrue(empty.find(ModelName.parse("llama3")).isEmpty());
        assertFalse(Files.exists(missing), "reading never creates directories");
    }

    @Test
    void blobs() {
        assertTrue(store.hasBlob(Digest.parse(modelDigest)));
        assertFalse(store.hasBlob(Digest.of(new byte[] {1})));
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(Digest.sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
