package io.quokka.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWriterTest {

    @TempDir
    Path root;

    @TempDir
    Path outside;

    StoreWriter writer() {
        return new StoreWriter(root, true);
    }

    /** A writer whose final rename fails, as a full disk or a crash between write and rename would. */
    StoreWriter failingRename() {
        return new StoreWriter(root, true, (from, to) -> {
            throw new IOException("simulated failure renaming " + from.getFileName());
        });
    }

    List<String> files(String dir) throws IOException {
        Path p = root.resolve(dir);
        if (!Files.exists(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).map(f -> p.relativize(f).toString()).sorted().toList();
        }
    }

    Path gguf(String content) throws IOException {
        Path f = outside.resolve("model-" + content.hashCode() + ".gguf");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void putBlobStoresUnderItsDigest() throws IOException {
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = writer().putBlob(bytes);
        assertEquals(Digest.of(bytes), d);
        assertArrayEquals(bytes, Files.readAllBytes(d.blobPath(root)));
        assertEquals(List.of(d.fileName()), files("blobs"), "no temporary file left");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.blobPath(root))));
    }

    @Test
    void putBlobFromFileReusesAnExistingBlob() throws IOException {
        Path src = gguf("weights");
        Digest d = writer().putBlob(src);
        Path blob = d.blobPath(root);
        Files.setLastModifiedTime(blob, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertEquals(d, writer().putBlob(src));
        assertEquals(List.of(d.fileName()), files("blobs"));
        assertTrue(Files.getLastModifiedTime(blob).toInstant().isAfter(Instant.parse("2024-01-01T00:00:00Z")),
                "touched as Ollama does");
    }

    @Test
    void putBlobReplacesATruncatedBlob() throws IOException {
        byte[] bytes = "complete content".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.of(bytes);
        StoreFixture.write(d.blobPath(root), "compl".getBytes(StandardCharsets.UTF_8));
        writer().putBlob(bytes);
        assertArrayEquals(bytes, Files.readAllBytes(d.blobPath(root)));
    }

    @Test
    void failedStreamLeavesNoBlob() throws IOException {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (++n > 100_000) {
                    throw new IOException("connection reset");
                }
                return 'x';
            }
        };
        var e = assertThrows(StoreException.class, () -> writer().putBlob(failing));
        assertEquals(StoreException.Kind.IO, e.kind());
        assertEquals(List.of(), files("blobs"));
    }

    @Test
    void failedRenameLeavesNoBlob() throws IOException {
        assertThrows(StoreException.class, () -> failingRename().putBlob(new byte[] {1, 2, 3}));
        assertEquals(List.of(), files("blobs"));
    }

    @Test
    void manifestReferencingMissingBlobIsRefused() throws IOException {
        Digest config = writer().putBlob("{}".getBytes(StandardCharsets.UTF_8));
        Digest absent = Digest.of(new byte[] {9});
        Manifest m = Manifest.of(new Layer(Layer.CONFIG, config, 2), List.of(new Layer(Layer.MODEL, absent, 1)));
        var e = assertThrows(StoreException.class, () -> writer().writeManifest(ModelName.parse("m"), m));
        assertEquals(StoreException.Kind.MISSING_BLOB, e.kind());
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
        assertEquals(List.of(), files("manifests"));
    }

    @Test
    void failedManifestWriteKeepsThePreviousOne() throws IOException {
        StoredModel before = writer().create(ModelName.parse("m"), gguf("v1"), Optional.empty(), Optional.empty(),
                Map.of(), ModelConfig.gguf("llama", "1B", "Q4_0"));
        Path file = ModelName.parse("m").manifestPath(root);
        byte[] old = Files.readAllBytes(file);

        Layer model = writer().putLayer(Layer.MODEL, "v2".getBytes(StandardCharsets.UTF_8));
        var e = assertThrows(StoreException.class, () -> failingRename().writeManifest(ModelName.parse("m"),
                Manifest.of(before.manifest().config(), List.of(model))));
        assertEquals(StoreException.Kind.IO, e.kind());
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of("registry.ollama.ai/library/m/latest"), files("manifests"), "no temporary file left");
        assertEquals(before.digest(), new OllamaStore(root).find(ModelName.parse("m")).orElseThrow().digest());
    }

    @Test
    void createLaysOutAsOllamaCreate() throws IOException {
        Path weights = gguf("GGUF...");
        Map<String, Object> params = Map.of("temperature", 0.7, "stop", List.of("<|im_end|>"), "num_ctx", 4096);
        StoredModel m = writer().create(ModelName.parse("me/mymodel:v1"), new ModelSpec(weights,
                Optional.of("{{ .Prompt }}"), Optional.of("Be brief."), List.of("MIT", "extra"), params,
                List.of(new ModelMessage("user", "hi")), ModelConfig.gguf("qwen2", "494.03M", "Q4_K_M")));

        assertEquals("me/mymodel:v1", m.name().displayShortest());
        List<Layer> layers = m.manifest().layers();
        assertEquals(List.of(Layer.MODEL, Layer.TEMPLATE, Layer.SYSTEM, Layer.LICENSE, Layer.LICENSE, Layer.PARAMS,
                Layer.MESSAGES), layers.stream().map(Layer::mediaType).toList());
        assertEquals(Layer.CONFIG, m.manifest().config().mediaType());

        byte[] paramsBlob = "{\"num_ctx\":4096,\"stop\":[\"\\u003c|im_end|\\u003e\"],\"temperature\":0.7}\n"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(new Layer(Layer.PARAMS, Digest.of(paramsBlob), paramsBlob.length), layers.get(5));
        String config = "{\"model_format\":\"gguf\",\"model_family\":\"qwen2\",\"model_families\":[\"qwen2\"],"
                + "\"model_type\":\"494.03M\",\"file_type\":\"Q4_K_M\",\"architecture\":\"amd64\",\"os\":\"linux\"}\n";
        assertEquals(config, Files.readString(m.manifest().config().digest().blobPath(root)));

        String expectedManifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest"
                + ".v2+json\",\"config\":" + layerJson(m.manifest().config()) + ",\"layers\":["
                + String.join(",", layers.stream().map(StoreWriterTest::layerJson).toList()) + "]}\n";
        assertEquals(expectedManifest, Files.readString(m.name().manifestPath(root)));

        assertEquals("GGUF...", Files.readString(m.modelBlob()));
        assertEquals("{{ .Prompt }}", m.template().orElseThrow());
        assertEquals("Be brief.", m.system().orElseThrow());
        assertEquals(List.of("MIT", "extra"), m.license());
        assertEquals(List.of("<|im_end|>"), m.params().get("stop"));
        assertEquals(List.of(new ModelMessage("user", "hi")), m.messages());
        assertEquals("qwen2", m.config().modelFamily());
        assertTrue(Files.exists(weights), "the source file is copied, not moved");
        assertEquals(List.of(), files("blobs").stream().filter(f -> f.contains("tmp")).toList());
    }

    static String layerJson(Layer l) {
        return "{\"mediaType\":\"" + l.mediaType() + "\",\"digest\":\"" + l.digest() + "\",\"size\":" + l.size() + "}";
    }

    @Test
    void createWithoutOptionalLayers() throws IOException {
        StoredModel m = writer().create(ModelName.parse("plain"), gguf("w"), Optional.of(""), Optional.empty(),
                Map.of(), new ModelConfig("", "llama", null, "", "", "", "", "", "", "", null, 0, 0, "", "", ""));
        assertEquals(List.of(Layer.MODEL), m.manifest().layers().stream().map(Layer::mediaType).toList());
        assertEquals("gguf", m.config().modelFormat());
        assertEquals(List.of("llama"), m.config().modelFamilies());
        assertEquals("linux", m.config().os());
        assertEquals("amd64", m.config().architecture());
    }

    @Test
    void recreatingPrunesOrphanedBlobs() throws IOException {
        Path weights = gguf("shared weights");
        ModelConfig config = ModelConfig.gguf("llama", "1B", "Q4_0");
        StoredModel first = writer().create(ModelName.parse("a"), weights, Optional.of("old template"),
                Optional.empty(), Map.of(), config);
        writer().create(ModelName.parse("b"), weights, Optional.empty(), Optional.empty(), Map.of(), config);
        Digest oldTemplate = first.manifest().layer(Layer.TEMPLATE).orElseThrow().digest();

        StoredModel second = writer().create(ModelName.parse("a"), weights, Optional.of("new template"),
                Optional.empty(), Map.of(), config);
        assertFalse(Files.exists(oldTemplate.blobPath(root)), "the replaced template blob is pruned");
        assertTrue(Files.exists(second.modelBlob()), "the shared weights stay");
        assertEquals("new template", second.template().orElseThrow());
    }

    @Test
    void writingKeepsTheSpellingOnDisk() throws IOException {
        ModelConfig config = ModelConfig.gguf("llama", "1B", "Q4_0");
        writer().create(ModelName.parse("Llama3:Latest"), gguf("w"), Optional.empty(), Optional.empty(), Map.of(),
                config);
        StoredModel again = writer().create(ModelName.parse("llama3:latest"), gguf("w2"), Optional.empty(),
                Optional.empty(), Map.of(), config);
        assertEquals("Llama3:Latest", again.name().displayShortest());
        StoredModel other = writer().create(ModelName.parse("llama3:8b"), gguf("w3"), Optional.empty(),
                Optional.empty(), Map.of(), config);
        assertEquals("Llama3:8b", other.name().displayShortest());
        assertEquals(List.of("registry.ollama.ai/library/Llama3/8b", "registry.ollama.ai/library/Llama3/Latest"),
                files("manifests"));
    }

    @Test
    void deleteRemovesManifestDirectoriesAndUnsharedBlobs() throws IOException {
        Path weights = gguf("shared weights");
        ModelConfig config = ModelConfig.gguf("llama", "1B", "Q4_0");
        StoredModel a = writer().create(ModelName.parse("ns/a:x"), weights, Optional.of("only in a"),
                Optional.empty(), Map.of(), config);
        writer().create(ModelName.parse("b"), weights, Optional.empty(), Optional.empty(), Map.of(), config);

        assertTrue(writer().delete(ModelName.parse("NS/A:X")));
        assertFalse(Files.exists(a.manifest().layer(Layer.TEMPLATE).orElseThrow().digest().blobPath(root)));
        assertTrue(Files.exists(a.modelBlob()), "still used by b");
        assertTrue(Files.exists(a.manifest().config().digest().blobPath(root)), "the same config, used by b");
        assertFalse(Files.exists(root.resolve("manifests/registry.ollama.ai/ns")), "empty directories pruned");
        assertTrue(Files.isDirectory(root.resolve("manifests")));
        assertFalse(writer().delete(ModelName.parse("ns/a:x")));

        assertTrue(writer().delete(ModelName.parse("b")));
        assertEquals(List.of(), files("blobs"));
        assertEquals(List.of(), new OllamaStore(root).list());
    }

    @Test
    void deleteWithoutPruneKeepsBlobs() throws IOException {
        writer().create(ModelName.parse("a"), gguf("w"), Optional.empty(), Optional.empty(), Map.of(),
                ModelConfig.gguf("llama", "1B", "Q4_0"));
        assertTrue(new StoreWriter(root, false).delete(ModelName.parse("a")));
        assertEquals(2, files("blobs").size());
        assertEquals(List.of(), files("manifests"));
    }

    @Test
    void createFromAnUploadedBlobUsesItInPlace() throws IOException {
        Digest uploaded = writer().putBlob(new ByteArrayInputStream("uploaded gguf".getBytes(StandardCharsets.UTF_8)));
        StoredModel m = writer().create(ModelName.parse("up"), uploaded.blobPath(root), Optional.empty(),
                Optional.empty(), Map.of(), ModelConfig.gguf("llama", "1B", "Q4_0"));
        assertEquals(uploaded, m.manifest().layer(Layer.MODEL).orElseThrow().digest());
        assertEquals(13, m.manifest().layer(Layer.MODEL).orElseThrow().size());
        assertEquals(uploaded.blobPath(root), m.modelBlob());
    }

    @Test
    void largeBlobThroughARealAtomicRename() throws IOException {
        var w = new StoreWriter(root, true, (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE));
        Digest d = w.putBlob(new ByteArrayInputStream("x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8)));
        assertEquals(1 << 20, Files.size(d.blobPath(root)));
    }
}
