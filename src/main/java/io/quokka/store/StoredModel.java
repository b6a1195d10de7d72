package io.quokka.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model found in the store: its manifest and config, read when it was found, and lazy readers for its other
 * blobs. Each reader goes to disk on every call; a missing blob is a {@link StoreException} naming its digest.
 */
public final class StoredModel {

    private final Path root;
    private final ModelName name;
    private final Manifest manifest;
    private final String digest;
    private final Instant modifiedAt;
    private final ModelConfig config;

    StoredModel(Path root, ModelName name, Manifest manifest, String digest, Instant modifiedAt, ModelConfig config) {
        this.root = root;
        this.name = name;
        this.manifest = manifest;
        this.digest = digest;
        this.modifiedAt = modifiedAt;
        this.config = config;
    }

    /** The name as spelled on disk (which may differ in case from the name asked for). */
    public ModelName name() {
        return name;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** Hex SHA-256 of the manifest file's bytes: the {@code digest} of /api/tags. */
    public String digest() {
        return digest;
    }

    /** Bytes of all layers plus the config blob: the {@code size} of /api/tags. */
    public long size() {
        return manifest.size();
    }

    /** The manifest file's modification time: the {@code modified_at} of /api/tags. */
    public Instant modifiedAt() {
        return modifiedAt;
    }

    /** The config blob, read when the model was found. */
    public ModelConfig config() {
        return config;
    }

    /**
     * The GGUF weights file.
     *
     * @throws StoreException {@code MALFORMED} when the manifest has no model layer, {@code MISSING_BLOB} when its
     *     blob is absent
     */
    public Path modelBlob() {
        Layer layer = manifest.layer(Layer.MODEL).orElseThrow(() -> new StoreException(StoreException.Kind.MALFORMED,
                "model '" + name.displayShortest() + "' has no model layer"));
        return existingBlob(layer);
    }

    /** Where the model layer was copied from ({@code details.parent_model}); empty when not copied. */
    public Optional<String> parentModel() {
        return manifest.layer(Layer.MODEL).map(Layer::from).filter(f -> !f.isEmpty());
    }

    /** The Go template; the last template (or legacy prompt) layer wins, as in Ollama. */
    public Optional<String> template() {
        return last(Layer.TEMPLATE, Layer.PROMPT).map(this::readText);
    }

    /** The default system prompt; the last system layer wins. */
    public Optional<String> system() {
        return last(Layer.SYSTEM).map(this::readText);
    }

    /** Every license text, in manifest order. */
    public List<String> license() {
        return manifest.layers(Layer.LICENSE).stream().map(this::readText).toList();
    }

    /**
     * The params layers' JSON objects merged in manifest order, keys in file order, e.g.
     * {@code {"stop":["<|im_end|>"],"temperature":0.7}}; empty when there is none. Numbers are Integer, Long or
     * Double as written; arrays are Lists.
     */
    public Map<String, Object> params() {
        Map<String, Object> merged = new LinkedHashMap<>();
        for (Layer layer : manifest.layers(Layer.PARAMS)) {
            Map<String, Object> one = readJson(layer, GoJson.OBJECT);
            merged.putAll(one);
        }
        return merged;
    }

    /** The seed conversation; the last messages layer wins; empty when there is none. */
    public List<ModelMessage> messages() {
        return last(Layer.MESSAGES).map(l -> readJson(l, GoJson.MESSAGES)).orElse(List.of());
    }

    public boolean hasProjector() {
        return !manifest.layers(Layer.PROJECTOR).isEmpty();
    }

    /** The multimodal projector files, in manifest order. */
    public List<Path> projectors() {
        return manifest.layers(Layer.PROJECTOR).stream().map(this::existingBlob).toList();
    }

    /** The LoRA adapter files, in manifest order. */
    public List<Path> adapters() {
        return manifest.layers(Layer.ADAPTER).stream().map(this::existingBlob).toList();
    }

    @Override
    public String toString() {
        return "StoredModel[" + name + " " + digest + "]";
    }

    private Optional<Layer> last(String... mediaTypes) {
        Layer found = null;
        for (Layer l : manifest.layers()) {
            for (String t : mediaTypes) {
                if (l.mediaType().equals(t)) {
                    found = l;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private Path existingBlob(Layer layer) {
        Path p = layer.digest().blobPath(root);
        if (!Files.isRegularFile(p)) {
            throw missing(layer, p);
        }
        return p;
    }

    private String readText(Layer layer) {
        return new String(readBlob(layer), StandardCharsets.UTF_8);
    }

    private <T> T readJson(Layer layer, TypeReference<T> type) {
        byte[] bytes = readBlob(layer);
        try {
            T value = GoJson.MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new StoreException(StoreException.Kind.MALFORMED, describe(layer) + " is JSON null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.Kind.MALFORMED,
                    describe(layer) + " is not valid JSON: " + StoreException.where(e), e);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot read " + describe(layer) + ": " + e, e);
        }
    }

    private byte[] readBlob(Layer layer) {
        Path p = layer.digest().blobPath(root);
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw missing(layer, p);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot read " + describe(layer) + " at " + p + ": " + e, e);
        }
    }

    private StoreException missing(Layer layer, Path p) {
        return new StoreException(StoreException.Kind.MISSING_BLOB, describe(layer) + " is missing: no file " + p);
    }

    private String describe(Layer layer) {
        String type = layer.mediaType();
        String kind = type.equals(Layer.CONFIG) ? "config"
                : type.startsWith("application/vnd.ollama.image.") ? type.substring(type.lastIndexOf('.') + 1) : type;
        return "blob " + layer.digest() + " (" + kind + " layer of model '" + name.displayShortest() + "')";
    }

    /** Reads a config blob; package-private because the store reads it once, when it finds the model. */
    static ModelConfig readConfig(Path root, ModelName name, Manifest manifest) {
        var probe = new StoredModel(root, name, manifest, "", Instant.EPOCH, ModelConfig.EMPTY);
        return probe.readJson(manifest.config(), new TypeReference<ModelConfig>() {});
    }
}
