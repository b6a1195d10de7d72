package io.quokka.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Writes to an Ollama model store the way Ollama does, so Ollama can read what Quokka writes and the other way
 * round. Every file is written under a temporary name in its final directory and renamed into place, so a failed
 * write leaves no partial blob under its digest and no manifest that points to a missing blob.
 */
public final class StoreWriter {

    private static final Logger LOG = Logger.getLogger(StoreWriter.class);

    /** The last step of every write: a rename. A seam so tests can make it fail. */
    @FunctionalInterface
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    private final OllamaStore store;
    private final Path root;
    private final boolean prune;
    private final Mover mover;

    /**
     * @param root  the store root ({@code $OLLAMA_MODELS})
     * @param prune whether replacing or deleting a model removes the blobs no manifest references any more
     *              (Ollama does unless {@code OLLAMA_NOPRUNE} is set)
     */
    public StoreWriter(Path root, boolean prune) {
        this(root, prune, (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING));
    }

    StoreWriter(Path root, boolean prune, Mover mover) {
        this.store = new OllamaStore(root);
        this.root = store.root();
        this.prune = prune;
        this.mover = mover;
    }

    /** Copies a file into {@code blobs/} (hashing it), reusing an existing blob with the same digest. */
    public Digest putBlob(Path source) {
        return copyIn(Layer.MODEL, source).digest();
    }

    /** Stores bytes as a blob. */
    public Digest putBlob(byte[] bytes) {
        return putBlob(new ByteArrayInputStream(bytes));
    }

    /**
     * Streams {@code in} into {@code blobs/} and returns its digest (the caller of {@code POST /api/blobs/:digest}
     * compares it with the one asked for). The stream is not closed.
     */
    public Digest putBlob(InputStream in) {
        return putLayer(Layer.MODEL, in).digest();
    }

    /**
     * Streams {@code in} into {@code blobs/} under {@code expected} (the {@code POST /api/blobs/:digest} upload): the
     * bytes go to a temporary file while they are hashed, and only a file whose SHA-256 is {@code expected} is renamed
     * into place, so a mismatched or broken upload leaves nothing behind. The stream is not closed.
     *
     * @return the digest of what was read: {@code expected} when the blob is now stored, another one when it was not
     */
    public Digest putBlob(Digest expected, InputStream in) {
        Path temp = null;
        try {
            Hashed hashed = hashIntoTemporaryFile(in);
            temp = hashed.temp();
            Digest actual = hashed.digest();
            if (actual.equals(expected)) {
                setReadableByAll(temp);
                mover.move(temp, actual.blobPath(root));
                temp = null;
            }
            return actual;
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot write blob " + expected + ": " + StoreException.describe(e), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Copies the manifest of {@code source} to {@code destination} byte for byte, as {@code ollama cp} does (so both
     * have the same digest), replacing any manifest of that name. Blobs are shared, not copied.
     *
     * @return false when there is no model {@code source}
     */
    public boolean copy(ModelName source, ModelName destination) {
        Optional<ModelName> from = store.resolve(source);
        if (from.isEmpty()) {
            return false;
        }
        ModelName to = canonical(destination);
        if (from.get().manifestPath(root).equals(to.manifestPath(root))) {
            return true;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(from.get().manifestPath(root));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot read manifest of '" + source + "': " + StoreException.describe(e), e);
        }
        writeAtomically(to.manifestPath(root), bytes);
        return true;
    }

    /**
     * Writes {@code manifest} under {@code name} (see {@link #writeManifest}), then, when pruning, removes the blobs of
     * the manifest it replaced that nothing references any more, as {@code ollama create} does.
     *
     * @return the model as now stored
     */
    public StoredModel replace(ModelName name, Manifest manifest) {
        Optional<Manifest> old = previous(name);
        ModelName written = writeManifest(name, manifest);
        old.ifPresent(this::removeUnreferencedLayers);
        return store.find(written).orElseThrow(() -> new StoreException(StoreException.Kind.IO,
                "manifest of '" + written + "' vanished right after it was written"));
    }

    private Layer putLayer(String mediaType, InputStream in) {
        Path temp = null;
        try {
            Hashed hashed = hashIntoTemporaryFile(in);
            temp = hashed.temp();
            Digest digest = hashed.digest();
            long size = hashed.size();
            Path blob = digest.blobPath(root);
            if (Files.isRegularFile(blob) && Files.size(blob) == size) {
                // Touched as Ollama does, so its prune grace period sees the blob as fresh.
                Files.setLastModifiedTime(blob, FileTime.from(Instant.now()));
                Files.delete(temp);
            } else {
                setReadableByAll(temp);
                mover.move(temp, blob);
            }
            temp = null;
            return new Layer(mediaType, digest, size);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot write blob: " + StoreException.describe(e), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** A stream written to a temporary file in {@code blobs/}, with its SHA-256 and size. */
    private record Hashed(Path temp, Digest digest, long size) {}

    /**
     * Writes {@code in} to a temporary file in {@code blobs/} (synced), hashing it on the way. The caller renames or
     * deletes the file. Ollama's prune removes files there whose names are not digests, so a leftover cannot linger.
     */
    private Hashed hashIntoTemporaryFile(InputStream in) throws IOException {
        Path blobs = Files.createDirectories(root.resolve("blobs"));
        Path temp = Files.createTempFile(blobs, "sha256-", "-quokka-tmp");
        try {
            MessageDigest sha = Digest.sha256();
            long size;
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), sha)) {
                size = in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            return new Hashed(temp, new Digest(HexFormat.of().formatHex(sha.digest())), size);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** Stores {@code bytes} as a blob and returns the layer that references it. */
    public Layer putLayer(String mediaType, byte[] bytes) {
        return putLayer(mediaType, new ByteArrayInputStream(bytes));
    }

    /**
     * Writes {@code manifest} under {@code name}, replacing any manifest of that name. When a manifest or
     * directories of the name exist in another case, their spelling is kept (Ollama's {@code getExistingName}).
     *
     * @return the name as written on disk
     * @throws StoreException {@code MISSING_BLOB} (and nothing is written) when a referenced blob is absent
     */
    public ModelName writeManifest(ModelName name, Manifest manifest) {
        List<Layer> all = new ArrayList<>(manifest.layers());
        all.add(manifest.config());
        for (Layer l : all) {
            if (!store.hasBlob(l.digest())) {
                throw new StoreException(StoreException.Kind.MISSING_BLOB,
                        "manifest of '" + name + "' references missing blob " + l.digest());
            }
        }
        ModelName target = canonical(name);
        Path file = target.manifestPath(root);
        writeAtomically(file, GoJson.encode(manifest));
        return target;
    }

    /**
     * Writes a manifest exactly as received from a registry (Ollama keeps the registry's bytes, so the model's digest
     * matches the registry's), after checking that it parses and that every blob it names is present; then, when
     * pruning, removes the blobs of the replaced manifest that nothing references any more, as {@code ollama pull}.
     *
     * @return the name as written on disk
     * @throws StoreException {@code MALFORMED} or {@code MISSING_BLOB}, and nothing is written
     */
    public ModelName writeManifest(ModelName name, byte[] raw) {
        Manifest manifest = OllamaStore.parseManifest(name.toString(), raw);
        List<Layer> all = new ArrayList<>(manifest.layers());
        all.add(manifest.config());
        for (Layer l : all) {
            if (!store.hasBlob(l.digest())) {
                throw new StoreException(StoreException.Kind.MISSING_BLOB,
                        "manifest of '" + name + "' references missing blob " + l.digest());
            }
        }
        Optional<Manifest> old = previous(name);
        ModelName target = canonical(name);
        writeAtomically(target.manifestPath(root), raw);
        old.ifPresent(this::removeUnreferencedLayers);
        return target;
    }

    /** {@link #create(ModelName, ModelSpec)} with no licenses and no messages. */
    public StoredModel create(ModelName name, Path ggufFile, Optional<String> template, Optional<String> system,
            Map<String, Object> params, ModelConfig config) {
        return create(name, new ModelSpec(ggufFile, template, system, List.of(), params, List.of(), config));
    }

    /**
     * Lays out a model as {@code ollama create} does: blobs for the weights, then template, system, licenses,
     * params (JSON, keys sorted) and messages, a config blob, and last the manifest. The blobs of a replaced
     * manifest that nothing else references are removed when pruning.
     *
     * @return the model as now stored
     */
    public StoredModel create(ModelName name, ModelSpec spec) {
        List<Layer> layers = new ArrayList<>();
        layers.add(putModelLayer(spec.gguf()));
        spec.template().filter(t -> !t.isEmpty()).ifPresent(t -> layers.add(putLayer(Layer.TEMPLATE, utf8(t))));
        spec.system().filter(s -> !s.isEmpty()).ifPresent(s -> layers.add(putLayer(Layer.SYSTEM, utf8(s))));
        spec.licenses().stream().filter(l -> !l.isEmpty()).forEach(l -> layers.add(putLayer(Layer.LICENSE, utf8(l))));
        if (!spec.params().isEmpty()) {
            layers.add(putLayer(Layer.PARAMS, GoJson.encode(spec.params())));
        }
        if (!spec.messages().isEmpty()) {
            layers.add(putLayer(Layer.MESSAGES, GoJson.encode(spec.messages())));
        }
        Layer config = putLayer(Layer.CONFIG, GoJson.encode(completeConfig(spec.config())));
        return replace(name, Manifest.of(config, layers));
    }

    /** Stores a config blob as {@code ollama create} writes it (Go's JSON, platform fields filled in). */
    public Layer putConfig(ModelConfig config) {
        return putLayer(Layer.CONFIG, GoJson.encode(completeConfig(config)));
    }

    /**
     * {@code value} as Go's JSON encoder writes it (keys sorted, HTML-safe escapes, trailing newline): the bytes of a
     * params or messages layer, so its digest is the one Ollama would compute.
     */
    public static byte[] goJson(Object value) {
        return GoJson.encode(value);
    }

    /**
     * Removes a model's manifest (and directories left empty), then, when pruning, the blobs no remaining manifest
     * references, as {@code ollama rm} does.
     *
     * @return false when there is no such model
     * @throws StoreException when the manifest cannot be parsed (Ollama refuses too)
     */
    public boolean delete(ModelName name) {
        Optional<ModelName> onDisk = store.resolve(name);
        if (onDisk.isEmpty()) {
            return false;
        }
        Path file = onDisk.get().manifestPath(root);
        Manifest manifest;
        try {
            manifest = OllamaStore.parseManifest(onDisk.get().toString(), Files.readAllBytes(file));
            Files.delete(file);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot delete manifest of '" + name + "': " + StoreException.describe(e), e);
        }
        pruneEmptyDirectories(root.resolve("manifests"), true);
        removeUnreferencedLayers(manifest);
        return true;
    }

    /** Ollama's {@code RemoveLayers}: deletes this manifest's blobs that no manifest on disk references. */
    private void removeUnreferencedLayers(Manifest gone) {
        if (!prune) {
            return;
        }
        Set<Digest> inUse = new HashSet<>();
        for (Path file : store.manifestFiles()) {
            try {
                Manifest m = OllamaStore.parseManifest(file.toString(), Files.readAllBytes(file));
                inUse.add(m.config().digest());
                m.layers().forEach(l -> inUse.add(l.digest()));
            } catch (IOException | StoreException e) {
                // As Ollama: a corrupt manifest must not block freeing blobs that just became orphans.
                LOG.debugf("ignoring unreadable manifest %s while pruning: %s", file, e.getMessage());
            }
        }
        Set<Digest> candidates = new LinkedHashSet<>();
        candidates.add(gone.config().digest());
        gone.layers().forEach(l -> candidates.add(l.digest()));
        for (Digest d : candidates) {
            if (!inUse.contains(d)) {
                try {
                    Files.deleteIfExists(d.blobPath(root));
                } catch (IOException e) {
                    LOG.warnf("cannot remove blob %s: %s", d, e);
                }
            }
        }
    }

    private Optional<Manifest> previous(ModelName name) {
        return store.resolve(name).flatMap(n -> {
            try {
                return Optional.of(OllamaStore.parseManifest(n.toString(), Files.readAllBytes(n.manifestPath(root))));
            } catch (IOException | StoreException e) {
                return Optional.empty();
            }
        });
    }

    /** The fields Ollama's create handler always sets. */
    private static ModelConfig completeConfig(ModelConfig c) {
        List<String> families = c.modelFamilies() == null && !c.modelFamily().isEmpty()
                ? List.of(c.modelFamily()) : c.modelFamilies();
        return new ModelConfig(c.modelFormat().isEmpty() ? "gguf" : c.modelFormat(), c.modelFamily(), families,
                c.modelType(), c.fileType(), c.renderer(), c.parser(), c.requires(), c.remoteHost(), c.remoteModel(),
                c.capabilities(), c.contextLength(), c.embeddingLength(), c.baseName(),
                c.architecture().isEmpty() ? "amd64" : c.architecture(), c.os().isEmpty() ? "linux" : c.os());
    }

    /** {@code name} with each part spelled as an existing directory that matches it ignoring case, if any. */
    private ModelName canonical(ModelName name) {
        Optional<ModelName> existing = store.resolve(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        String[] parts = {name.host(), name.namespace(), name.model(), name.tag()};
        Path dir = root.resolve("manifests");
        for (int i = 0; i < 3; i++) {
            String want = parts[i];
            Optional<String> match = existingChild(dir, want);
            if (match.isEmpty()) {
                break;
            }
            parts[i] = match.get();
            dir = dir.resolve(match.get());
        }
        return new ModelName(parts[0], parts[1], parts[2], parts[3]);
    }

    private static Optional<String> existingChild(Path dir, String want) {
        try (var entries = Files.list(dir)) {
            List<String> names = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .toList();
            return names.contains(want) ? Optional.of(want)
                    : names.stream().filter(n -> n.equalsIgnoreCase(want)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void writeAtomically(Path file, byte[] bytes) {
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            // A leading dot is not a valid tag, so readers skip the temp file if they see it.
            temp = Files.createTempFile(file.getParent(), ".tmp-", "");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            setReadableByAll(temp);
            mover.move(temp, file);
            temp = null;
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot write manifest: " + StoreException.describe(e), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Ollama's {@code PruneDirectory}: removes empty directories below {@code dir} (keeping {@code dir} itself). */
    private static boolean pruneEmptyDirectories(Path dir, boolean keep) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        boolean empty = true;
        try (var s = Files.list(dir)) {
            for (Path child : s.toList()) {
                if (!pruneEmptyDirectories(child, false)) {
                    empty = false;
                }
            }
        } catch (IOException e) {
            return false;
        }
        if (empty && !keep) {
            try {
                Files.delete(dir);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    private static void setReadableByAll(Path p) {
        // Temp files are created 0600; Ollama's blobs and manifests are 0644.
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debugf("cannot set permissions of %s: %s", p, e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warnf("cannot remove temporary file %s: %s", p, e);
            }
        }
    }

    private Layer putModelLayer(Path gguf) {
        return existingBlobLayer(gguf).orElseGet(() -> copyIn(Layer.MODEL, gguf));
    }

    private Layer copyIn(String mediaType, Path source) {
        try (InputStream in = Files.newInputStream(source)) {
            return putLayer(mediaType, in);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.IO, "cannot read " + source + ": " + StoreException.describe(e), e);
        }
    }

    /**
     * A file that already is a blob of this store (an upload to {@code /api/blobs}) is used by name without copying
     * or rehashing gigabytes, as Ollama's create does with the digests it is given.
     */
    private Optional<Layer> existingBlobLayer(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (!root.resolve("blobs").equals(abs.getParent()) || !Files.isRegularFile(abs)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Layer(Layer.MODEL, Digest.parse(abs.getFileName().toString()), Files.size(abs)));
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
