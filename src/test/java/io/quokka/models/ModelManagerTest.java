package io.quokka.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.generation.GgufInspector;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.StoreModelResolver;
import io.quokka.store.Layer;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreWriter;
import io.quokka.store.StoredModel;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delete and create without the server: {@code OLLAMA_NOPRUNE} keeps orphaned blobs, pruning removes them. */
class ModelManagerTest {
    @TempDir
    Path root;

    private final List<String> unloaded = new ArrayList<>();

    private ModelManager manager(boolean prune) {
        OllamaStore store = new OllamaStore(root);
        return new ModelManager(store, new StoreWriter(root, prune),
                new StoreModelResolver(store, new GgufInspector()), unloaded::add);
    }

    @Test
    void noPruneKeepsTheBlobsOfADeletedModel() throws IOException {
        StoredModel toy = ToyInstaller.install(root, ModelName.parse("toy"), ToyModelSpec.tiny());
        List<Path> blobs = blobs(toy);
        manager(false).delete("toy");
        assertEquals(List.of("toy:latest"), unloaded, "a resident model is unloaded first");
        assertTrue(new OllamaStore(root).list().isEmpty());
        for (Path blob : blobs) assertTrue(Files.exists(blob), blob + " kept under OLLAMA_NOPRUNE");
    }

    @Test
    void pruningRemovesOnlyUnreferencedBlobs() throws IOException {
        StoredModel toy = ToyInstaller.install(root, ModelName.parse("toy"), ToyModelSpec.tiny());
        ModelManager manager = manager(true);
        manager.copy("toy", "twin");
        manager.prepare(new CreateCommand("custom", "twin", null, null, "Be kind.", Map.of("temperature", 0.5),
                List.of(), List.of(), null, null, null)).write(s -> {});
        manager.delete("toy");
        for (Path blob : blobs(toy)) assertTrue(Files.exists(blob), blob + " still used by twin");
        manager.delete("twin");
        Path model = toy.modelBlob();
        assertTrue(Files.exists(model), "custom shares the weights");
        StoredModel custom = new OllamaStore(root).find(ModelName.parse("custom")).orElseThrow();
        assertEquals("Be kind.", custom.system().orElseThrow());
        assertEquals(0.5, custom.params().get("temperature"));
        assertEquals(List.of("<|im_start|>", "<|im_end|>"), custom.params().get("stop"));
        assertEquals("twin:latest", custom.manifest().layer(Layer.MODEL).orElseThrow().from());
        manager.delete("custom");
        assertFalse(Files.exists(model));
        try (var left = Files.list(root.resolve("blobs"))) {
            assertEquals(0, left.count(), "every blob pruned once nothing references it");
        }
        assertThrows(ModelNotFoundException.class, () -> manager.delete("custom"));
    }

    @Test
    void validPathsAreGosFsValidPath() {
        assertTrue(ModelManager.validPath("model.gguf"));
        assertTrue(ModelManager.validPath("dir/model.gguf"));
        assertFalse(ModelManager.validPath("/etc/passwd"));
        assertFalse(ModelManager.validPath("../model.gguf"));
        assertFalse(ModelManager.validPath("a//b"));
        assertFalse(ModelManager.validPath("a/./b"));
        assertFalse(ModelManager.validPath(""));
    }

    private List<Path> blobs(StoredModel m) {
        List<Path> out = new ArrayList<>();
        out.add(m.manifest().config().digest().blobPath(root));
        m.manifest().layers().forEach(l -> out.add(l.digest().blobPath(root)));
        return out;
    }
}
