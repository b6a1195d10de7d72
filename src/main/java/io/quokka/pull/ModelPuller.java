package io.quokka.pull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.store.Digest;
import io.quokka.store.Layer;
import io.quokka.store.Manifest;
import io.quokka.store.ModelConfig;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreException;
import io.quokka.store.StoreWriter;
import io.quokka.store.StoredModel;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * {@code ollama pull}: fetches a model into the store from an Ollama-protocol registry, a Hugging Face repository or
 * a GGUF URL, reporting each step as a {@link PullEvent}. All blobs are in place (each verified before it became
 * visible) before the manifest is written, atomically, so a failure at any point leaves the store as it was, but for
 * a partial download the next pull resumes. Thread-safe; concurrent pulls of one blob share its download.
 */
public final class ModelPuller {
    private static final Logger LOG = Logger.getLogger(ModelPuller.class);
    static final String MANIFEST_ACCEPT = Manifest.MEDIA_TYPE;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final OllamaStore store;
    private final PullSettings settings;
    private final Disk disk;
    private final RegistryHttp http;
    private final BlobDownloads downloads;

    public ModelPuller(Path storeRoot, PullSettings settings, Disk disk) {
        this.store = new OllamaStore(storeRoot);
        this.settings = settings;
        this.disk = disk;
        this.http = new RegistryHttp(settings.userAgent());
        this.downloads = new BlobDownloads(store.root(), http, disk, settings);
    }

    /** Blob downloads started since this puller was made (a shared download counts once). */
    public long downloadsStarted() {
        return downloads.started();
    }

    /**
     * Pulls {@code model} (a name as {@link PullTarget#parse} reads it).
     *
     * @param progress  told every step; may throw to stop the pull (a client that left)
     * @param cancelled polled while waiting; true stops the pull (its download too, unless another pull shares it)
     * @return the name the model is stored under
     * @throws PullException with Ollama's message; the store is as it was
     */
    public ModelName pull(String model, boolean insecure, Consumer<PullEvent> progress, BooleanSupplier cancelled) {
        PullTarget target = PullTarget.parse(model, insecure);
        try {
            return switch (target) {
                case PullTarget.Registry r -> pullFromRegistry(r, progress, cancelled);
                case PullTarget.HuggingFace h -> pullGguf(h.name(), () -> new HuggingFaceResolver(settings.huggingFace(), http)
                        .resolve(h), progress, cancelled);
                case PullTarget.DirectUrl d -> pullGguf(d.name(), () -> directSource(d.url()), progress, cancelled);
            };
        } catch (StoreException e) {
            throw new PullException(e.getMessage(), e);
        }
    }

    /** Parses a name without pulling: an invalid one is a {@link PullException} ({@code INVALID_REQUEST}). */
    public static ModelName storedName(String model, boolean insecure) {
        return PullTarget.parse(model, insecure).name();
    }

    private ModelName pullFromRegistry(PullTarget.Registry target, Consumer<PullEvent> progress,
                                       BooleanSupplier cancelled) {
        ModelName name = target.name();
        progress.accept(new PullEvent.PullingManifest());
        URI repo = URI.create(target.base() + "/v2/" + name.namespace() + "/" + name.model());
        byte[] raw;
        Manifest manifest;
        try {
            raw = withRetries(() -> http.getBytes(URI.create(repo + "/manifests/" + name.tag()),
                    Map.of("Accept", MANIFEST_ACCEPT)), cancelled);
            manifest = JSON.readValue(raw, Manifest.class);
            if (manifest == null) throw new IOException("manifest is JSON null");
        } catch (IOException | RuntimeException e) {
            if (e instanceof PullException p && p.kind() == PullException.Kind.CANCELLED) throw p;
            throw PullException.failed("pull model manifest: " + message(e));
        }
        Map<Digest, BlobSource> blobs = new LinkedHashMap<>();
        List<Layer> layers = new ArrayList<>(manifest.layers());
        layers.add(manifest.config());
        for (Layer l : layers) {
            blobs.putIfAbsent(l.digest(), BlobSource.of(URI.create(repo + "/blobs/" + l.digest()), l.digest(), l.size()));
        }
        checkFreeSpace(name, blobs.values());
        for (BlobSource b : blobs.values()) downloads.fetch(b, progress, cancelled);
        progress.accept(new PullEvent.Verifying());
        for (BlobSource b : blobs.values()) {
            // Each blob was hashed before it became visible; a present one must at least still be there.
            if (!store.hasBlob(b.digest())) throw PullException.failed("blob " + b.digest() + " vanished during the pull");
        }
        progress.accept(new PullEvent.WritingManifest());
        if (settings.prune() && replacesLayers(name, blobs.keySet())) progress.accept(new PullEvent.RemovingUnusedLayers());
        ModelName written = new StoreWriter(store.root(), settings.prune()).writeManifest(name, raw);
        progress.accept(new PullEvent.Success());
        return written;
    }

    /** A GGUF from Hugging Face or a URL: one blob, then a manifest with the GGUF's family, size and quantization. */
    private ModelName pullGguf(ModelName name, SourceLookup lookup, Consumer<PullEvent> progress,
                               BooleanSupplier cancelled) {
        progress.accept(new PullEvent.PullingManifest());
        BlobSource source;
        try {
            source = withRetries(lookup::find, cancelled);
        } catch (IOException | RuntimeException e) {
            if (e instanceof PullException p) throw p;
            throw PullException.failed("pull model manifest: " + message(e));
        }
        checkFreeSpace(name, List.of(source));
        Digest digest = downloads.fetch(source, progress, cancelled);
        progress.accept(new PullEvent.Verifying());
        Path blob = store.blobPath(digest);
        GgufFile gguf;
        try {
            gguf = GgufReader.read(blob);
        } catch (IOException | RuntimeException e) {
            throw PullException.failed(source.label() + " is not a usable GGUF file: " + e.getMessage());
        }
        ModelConfig config = ModelConfig.gguf(gguf.architecture().orElse(""), gguf.parameterSize(),
                gguf.quantizationLevel());
        progress.accept(new PullEvent.WritingManifest());
        // No template layer: the GGUF's own chat template is used, as for any model without one.
        StoredModel stored = new StoreWriter(store.root(), settings.prune())
                .create(name, blob, Optional.empty(), Optional.empty(), Map.of(), config);
        progress.accept(new PullEvent.Success());
        return stored.name();
    }

    @FunctionalInterface
    private interface SourceLookup {
        BlobSource find() throws IOException;
    }

    @FunctionalInterface
    private interface Request<T> {
        T send() throws IOException;
    }

    /** A direct URL's size, from a HEAD (redirects followed). */
    private BlobSource directSource(URI url) throws IOException {
        long size;
        try (RegistryHttp.Opened head = http.head(url)) {
            size = head.contentLength().orElse(-1);
        }
        if (size < 0) throw new IOException("the server does not say how large " + url + " is");
        String path = url.getPath();
        return new BlobSource(url, null, size, path.substring(path.lastIndexOf('/') + 1));
    }

    /**
     * Retries a request that failed for a reason that may pass (a 5xx, 429, a connection cut), backing off. A host
     * that cannot be reached at all (refused, not resolved) fails at once, as Ollama's does: a client that pulls
     * before use is told so instead of waiting out the backoff.
     */
    private <T> T withRetries(Request<T> request, BooleanSupplier cancelled) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return request.send();
            } catch (RegistryHttp.Unreachable e) {
                throw e;
            } catch (RegistryHttp.StatusException e) {
                if (!e.isTransient() || attempt >= settings.maxRetries()) throw e;
                pause(attempt, e, cancelled);
            } catch (IOException e) {
                if (attempt >= settings.maxRetries() || e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                    throw e;
                }
                pause(attempt, e, cancelled);
            }
        }
    }

    private void pause(int attempt, IOException e, BooleanSupplier cancelled) {
        Duration wait = settings.backoff(attempt);
        LOG.infof("request failed: %s; retrying in %d ms", e.getMessage(), wait.toMillis());
        long until = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < until) {
            if (cancelled.getAsBoolean()) throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
            try {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
            }
        }
    }

    /** Refuses a pull whose missing bytes exceed the free space, before anything is written. */
    private void checkFreeSpace(ModelName name, java.util.Collection<BlobSource> sources) {
        long needed = sources.stream().mapToLong(downloads::missingBytes).sum();
        if (needed == 0) return;
        Path blobsDir = store.root().resolve("blobs");
        long free;
        try {
            Files.createDirectories(blobsDir);
            free = disk.usableSpace(blobsDir);
        } catch (IOException e) {
            throw PullException.failed("cannot write to the store: " + StoreException.describe(e));
        }
        if (needed > free) {
            throw PullException.failed("not enough disk space to pull " + name.displayShortest() + ": it needs "
                    + human(needed) + " more, " + human(free) + " are free in " + blobsDir);
        }
    }

    private boolean replacesLayers(ModelName name, Set<Digest> kept) {
        try {
            return store.find(name).map(m -> {
                List<Digest> old = new ArrayList<>();
                m.manifest().layers().forEach(l -> old.add(l.digest()));
                old.add(m.manifest().config().digest());
                return old.stream().anyMatch(d -> !kept.contains(d));
            }).orElse(false);
        } catch (StoreException e) {
            return false;
        }
    }

    static String human(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
    }

    private static String message(Throwable e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) return j.getOriginalMessage();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "ModelPuller[" + store.root() + "]";
    }
}
