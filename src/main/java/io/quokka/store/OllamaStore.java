package io.quokka.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Read access to an Ollama model store ({@code $OLLAMA_MODELS}, by default {@code ~/.ollama/models}):
 * {@code manifests/<host>/<namespace>/<model>/<tag>} and {@code blobs/sha256-<hex>}. Never writes and never creates
 * directories; a store that does not exist is simply empty. Thread-safe (it holds no state but the root).
 */
public final class OllamaStore {

    private static final Logger LOG = Logger.getLogger(OllamaStore.class);

    private final Path root;

    public OllamaStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Where the blob of {@code digest} lives (whether or not it exists). */
    public Path blobPath(Digest digest) {
        return digest.blobPath(root);
    }

    /** True when the blob is present (the {@code HEAD /api/blobs/:digest} question). */
    public boolean hasBlob(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /**
     * Every model whose manifest and config read, most recently modified first (the order of /api/tags). Entries
     * that are not valid names, unreadable or malformed are logged and skipped, as Ollama does.
     */
    public List<StoredModel> list() {
        List<StoredModel> models = new ArrayList<>();
        for (Path file : manifestFiles()) {
            Path rel = root.resolve("manifests").relativize(file);
            ModelName name;
            try {
                name = new ModelName(rel.getName(0).toString(), rel.getName(1).toString(),
                        rel.getName(2).toString(), rel.getName(3).toString());
            } catch (InvalidModelNameException e) {
                LOG.warnf("skipping manifest %s: not a valid model name (%s)", rel, e.reason());
                continue;
            }
            try {
                read(name, file).ifPresent(models::add);
            } catch (StoreException e) {
                LOG.warnf("skipping model %s: %s", name, e.getMessage());
            }
        }
        models.sort(Comparator.comparing(StoredModel::modifiedAt).reversed()
                .thenComparing(m -> m.name().displayLong()));
        return models;
    }

    /**
     * The model of that name, ignoring case as Ollama does ({@code Llama3} on disk is found as {@code llama3}).
     *
     * @throws StoreException when the manifest exists but cannot be read or parsed, or its config blob is missing
     */
    public Optional<StoredModel> find(ModelName name) {
        Optional<ModelName> onDisk = resolve(name);
        if (onDisk.isEmpty()) {
            return Optional.empty();
        }
        return read(onDisk.get(), onDisk.get().manifestPath(root));
    }

    /**
     * The name as spelled on disk of the manifest matching {@code name} ignoring case; an exact match wins, then
     * the first in sorted order.
     */
    public Optional<ModelName> resolve(ModelName name) {
        String[] want = {name.host(), name.namespace(), name.model(), name.tag()};
        List<String[]> found = new ArrayList<>();
        collect(root.resolve("manifests"), want, 0, new String[4], found);
        return found.stream()
                .min(Comparator.comparing((String[] p) -> !String.join("/", p).equals(String.join("/", want)))
                        .thenComparing(p -> String.join("/", p)))
                .map(p -> new ModelName(p[0], p[1], p[2], p[3]));
    }

    private static void collect(Path dir, String[] want, int level, String[] path, List<String[]> found) {
        for (Path child : children(dir)) {
            String part = child.getFileName().toString();
            if (!part.equalsIgnoreCase(want[level])) {
                continue;
            }
            path[level] = part;
            if (level == 3) {
                if (Files.isRegularFile(child)) {
                    found.add(path.clone());
                }
            } else if (Files.isDirectory(child)) {
                collect(child, want, level + 1, path, found);
            }
        }
    }

    /** All regular files exactly four levels below {@code manifests/}, like Ollama's {@code Glob("*\/*\/*\/*")}. */
    List<Path> manifestFiles() {
        List<Path> files = new ArrayList<>();
        for (Path host : children(root.resolve("manifests"))) {
            for (Path ns : children(host)) {
                for (Path model : children(ns)) {
                    for (Path tag : children(model)) {
                        if (Files.isRegularFile(tag)) {
                            files.add(tag);
                        }
                    }
                }
            }
        }
        return files;
    }

    /** The entries of {@code dir}, sorted; empty when it is missing, not a directory or unreadable. */
    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            LOG.warnf("cannot read directory %s: %s", dir, e);
            return List.of();
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Reads one manifest and its config; empty when the file vanished meanwhile. */
    private Optional<StoredModel> read(ModelName name, Path file) {
        byte[] bytes;
        Instant modified;
        try {
            bytes = Files.readAllBytes(file);
            modified = Files.getLastModifiedTime(file).toInstant();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot read manifest of model '" + name + "': " + e, e);
        }
        Manifest manifest = parseManifest(name.toString(), bytes);
        String digest = HexFormat.of().formatHex(Digest.sha256().digest(bytes));
        ModelConfig config = StoredModel.readConfig(root, name, manifest);
        return Optional.of(new StoredModel(root, name, manifest, digest, modified, config));
    }

    static Manifest parseManifest(String name, byte[] bytes) {
        try {
            Manifest m = GoJson.MAPPER.readValue(bytes, Manifest.class);
            if (m == null) {
                throw new StoreException(StoreException.Kind.MALFORMED, "manifest of model '" + name + "' is JSON null");
            }
            return m;
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.Kind.MALFORMED,
                    "manifest of model '" + name + "' is malformed: " + StoreException.where(e), e);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot parse manifest of model '" + name + "': " + e, e);
        }
    }
}
