package io.quokka.models;

import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.OptionsParser;
import io.quokka.generation.StoreModelResolver;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.store.Digest;
import io.quokka.store.InvalidModelNameException;
import io.quokka.store.Layer;
import io.quokka.store.Manifest;
import io.quokka.store.ModelConfig;
import io.quokka.store.ModelMessage;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreException;
import io.quokka.store.StoreWriter;
import io.quokka.store.StoredModel;
import io.quokka.template.PromptTemplate;
import io.quokka.gotemplate.TemplateException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Creates, copies and deletes models and receives uploaded blobs, with Ollama's rules and messages. A create is
 * validated in full by {@link #prepare} (nothing written yet, so every refusal leaves the store as it was) and then
 * written by {@link PreparedCreate#write}, which streams Ollama's status lines. Changes to manifests are serialised,
 * so a delete's pruning never races a create that is about to reference a blob.
 */
public final class ModelManager {

    /** Ends a resident model's runner before its model is deleted (the scheduler's {@code expire}). */
    @FunctionalInterface
    public interface Residency {
        void unload(String modelName);
    }

    private final OllamaStore store;
    private final StoreWriter writer;
    private final StoreModelResolver resolver;
    private final Residency residency;
    private final ReentrantLock manifests = new ReentrantLock();

    public ModelManager(OllamaStore store, StoreWriter writer, StoreModelResolver resolver, Residency residency) {
        this.store = store;
        this.writer = writer;
        this.resolver = resolver;
        this.residency = residency;
    }

    // ---- blobs ---------------------------------------------------------------------------------------------------

    /** Parses a blob name from a URL ({@code sha256:<hex>}); a 400 {@code invalid digest format} otherwise. */
    public static Digest digest(String raw) {
        try {
            return Digest.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(Digest.INVALID);
        }
    }

    public boolean hasBlob(Digest digest) {
        return store.hasBlob(digest);
    }

    /**
     * Stores an upload under {@code digest} unless that blob exists already. The bytes are hashed as they are
     * written to a temporary file; a mismatch is Ollama's 400 and leaves nothing behind.
     *
     * @param requested the digest as the client wrote it, for the mismatch message
     * @return true when the blob was written (201), false when it already existed (200)
     */
    public boolean putBlob(String requested, InputStream body) {
        Digest digest = digest(requested);
        if (store.hasBlob(digest)) return false;
        Digest actual = writer.putBlob(digest, body);
        if (!actual.equals(digest)) {
            throw new InvalidRequestException("digest mismatch, expected \"" + requested + "\", got \"" + actual + "\"");
        }
        return true;
    }

    // ---- copy and delete -----------------------------------------------------------------------------------------

    /** {@code ollama cp}: the manifest copied byte for byte (same digest), blobs shared. */
    public void copy(String source, String destination) {
        ModelName src = parseOr(source, "source " + goQuote(source) + " is invalid");
        ModelName dst = parseOr(destination, "destination " + goQuote(destination) + " is invalid");
        manifests.lock();
        try {
            if (!writer.copy(src, dst)) throw new NotFoundException("model " + goQuote(source) + " not found");
        } finally {
            manifests.unlock();
        }
    }

    /**
     * {@code ollama rm}: the model's manifest removed, then (unless {@code OLLAMA_NOPRUNE}) the blobs no other manifest
     * references, and the model unloaded if resident.
     */
    public void delete(String requested) {
        ModelName name = parseOr(requested, "name " + goQuote(requested) + " is invalid");
        manifests.lock();
        try {
            ModelName onDisk = store.resolve(name).orElseThrow(() -> new ModelNotFoundException(requested));
            if (!writer.delete(onDisk)) throw new ModelNotFoundException(requested);
            // Unloaded only once its manifest is gone: a delete the store refuses (read-only) leaves it serving.
            residency.unload(onDisk.displayShortest());
        } finally {
            manifests.unlock();
        }
    }

    // ---- create --------------------------------------------------------------------------------------------------

    /**
     * Checks everything a create needs and reads what it builds on: the name, the base model or the uploaded GGUF
     * blobs (each validated by Quokka's GGUF reader), the template and the parameters. Writes nothing.
     *
     * @throws InvalidRequestException (400) and {@link ModelNotFoundException} (404) with Ollama's messages
     */
    public PreparedCreate prepare(CreateCommand c) {
        ModelName name = parseOr(c.name(), InvalidModelNameException.MESSAGE);
        List<String> statuses = new ArrayList<>();
        List<Layer> base;
        GgufFile gguf;
        ModelConfig baseConfig = null;
        Map<String, Object> baseParams = Map.of();
        boolean hasFrom = c.from() != null && !c.from().isEmpty();
        if (hasFrom) {
            StoredModel from = resolver.find(c.from());
            String fromName = from.name().displayShortest();
            base = from.manifest().layers().stream()
                    .map(l -> new Layer(l.mediaType(), l.digest(), l.size(), fromName, l.name())).toList();
            gguf = readGguf(modelBlob(from), "model '" + fromName + "'");
            baseConfig = from.config();
            baseParams = from.params();
        } else if (c.files() != null) {
            statuses.add("parsing GGUF");
            UploadedGguf upload = uploadedGguf(c.files());
            gguf = upload.gguf();
            base = List.of(new Layer(Layer.MODEL, upload.digest(), upload.size()));
        } else {
            throw new InvalidRequestException("neither 'from' or 'files' was specified");
        }
        if (c.template() != null && !c.template().isEmpty()) {
            try {
                PromptTemplate.parse(c.template());
            } catch (TemplateException e) {
                throw new InvalidRequestException("template error: " + e.getMessage());
            }
        }
        // Ollama's client types PARAMETER values; here they are checked as a request's options would be, so a
        // model that could never serve a request is refused now rather than on its first use.
        OptionsParser.parse(new OptionsParser.Defaults(2048, 1), c.parameters(), null);
        return new PreparedCreate(name, c, base, baseParams, config(c, gguf, baseConfig), statuses);
    }

    /** A create that passed every check; {@link #write} lays it out. */
    public final class PreparedCreate {
        private final ModelName name;
        private final CreateCommand command;
        private final List<Layer> base;
        private final Map<String, Object> baseParams;
        private final ModelConfig config;
        private final List<String> statuses;

        private PreparedCreate(ModelName name, CreateCommand command, List<Layer> base, Map<String, Object> baseParams,
                ModelConfig config, List<String> statuses) {
            this.name = name;
            this.command = command;
            this.base = base;
            this.baseParams = baseParams;
            this.config = config;
            this.statuses = statuses;
        }

        /**
         * Writes the new layers, the config and last the manifest, telling {@code status} what it does in Ollama's
         * words ({@code using existing layer sha256:…}, {@code creating new layer sha256:…}, {@code writing manifest},
         * {@code success}). The blobs of a manifest it replaces are pruned unless {@code OLLAMA_NOPRUNE}.
         */
        public StoredModel write(Consumer<String> status) {
            statuses.forEach(status);
            manifests.lock();
            try {
                List<Layer> layers = new ArrayList<>(base);
                Map<Layer, String> said = new LinkedHashMap<>();
                for (Layer l : base) {
                    touch(l.digest());
                    said.put(l, "using existing layer " + l.digest());
                }
                CreateCommand c = command;
                if (c.template() != null && !c.template().isEmpty()) {
                    layers.removeIf(l -> l.mediaType().equals(Layer.TEMPLATE));
                    add(layers, said, Layer.TEMPLATE, utf8(c.template()));
                }
                if (c.system() != null && !c.system().isEmpty()) {
                    layers.removeIf(l -> l.mediaType().equals(Layer.SYSTEM));
                    add(layers, said, Layer.SYSTEM, utf8(c.system()));
                }
                for (String license : c.licenses()) {
                    if (!license.isEmpty()) add(layers, said, Layer.LICENSE, utf8(license));
                }
                // Ollama's setParameters: the new values, then every key of the base's params they lack.
                Map<String, Object> params = new TreeMap<>(c.parameters());
                baseParams.forEach(params::putIfAbsent);
                if (!params.isEmpty()) {
                    layers.removeIf(l -> l.mediaType().equals(Layer.PARAMS));
                    add(layers, said, Layer.PARAMS, StoreWriter.goJson(params));
                }
                if (!c.messages().isEmpty()) {
                    layers.removeIf(l -> l.mediaType().equals(Layer.MESSAGES));
                    add(layers, said, Layer.MESSAGES, StoreWriter.goJson(c.messages()));
                }
                Layer configLayer = writer.putConfig(config);
                // Ollama reports each layer of the new manifest once, after all are written.
                layers.forEach(l -> status.accept(said.get(l)));
                status.accept("writing manifest");
                StoredModel stored = writer.replace(name, Manifest.of(configLayer, layers));
                status.accept("success");
                return stored;
            } finally {
                manifests.unlock();
            }
        }

        private void add(List<Layer> layers, Map<Layer, String> said, String mediaType, byte[] bytes) {
            boolean existed = store.hasBlob(Digest.of(bytes));
            Layer layer = writer.putLayer(mediaType, bytes);
            layers.add(layer);
            said.put(layer, (existed ? "using existing layer " : "creating new layer ") + layer.digest());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private record UploadedGguf(Digest digest, long size, GgufFile gguf) {}

    /** The one GGUF model file of {@code files}, validated. */
    private UploadedGguf uploadedGguf(Map<String, String> files) {
        UploadedGguf model = null;
        for (var e : new TreeMap<>(files).entrySet()) {
            String file = e.getKey();
            if (!validPath(file)) throw new InvalidRequestException("file path must be relative");
            if (e.getValue() == null || e.getValue().isEmpty()) throw new InvalidRequestException(Digest.INVALID);
            if (file.endsWith(".safetensors")) {
                throw new InvalidRequestException(
                        "safetensors models are not supported: create the model from a GGUF file");
            }
            Digest digest = digest(e.getValue());
            Path blob = store.blobPath(digest);
            if (!Files.isRegularFile(blob)) {
                throw new InvalidRequestException("blob " + digest + " of file " + goQuote(file)
                        + " not found: upload it first with POST /api/blobs/" + digest);
            }
            if (!hasGgufMagic(blob)) throw new InvalidRequestException("supplied file was not in GGUF format");
            GgufFile gguf = readGguf(blob, "file " + goQuote(file));
            String kind = gguf.string("general.type").orElse("model");
            if (kind.equals("adapter")) throw new InvalidRequestException("adapters are not supported");
            if (kind.equals("projector") || kind.equals("mmproj")
                    || gguf.architecture().filter("clip"::equals).isPresent()) {
                throw new InvalidRequestException("projector (vision) files are not supported");
            }
            if (model != null) {
                throw new InvalidRequestException("only one GGUF model file is supported (split GGUFs are not)");
            }
            try {
                model = new UploadedGguf(digest, Files.size(blob), gguf);
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException("cannot read blob " + digest + ": " + ex, ex);
            }
        }
        if (model == null) throw new InvalidRequestException("unknown type");
        return model;
    }

    private static GgufFile readGguf(Path file, String what) {
        try {
            return GgufReader.read(file);
        } catch (IOException e) {
            throw new InvalidRequestException("invalid GGUF in " + what + ": " + e.getMessage());
        }
    }

    private static Path modelBlob(StoredModel m) {
        try {
            return m.modelBlob();
        } catch (StoreException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    private static boolean hasGgufMagic(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return new String(magic, StandardCharsets.ISO_8859_1).equals("GGUF")
                    || new String(magic, StandardCharsets.ISO_8859_1).equals("FUGG");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The config {@code ollama create} writes: platform linux/amd64, renderer/parser/requires from the request or else
     * the base model, and format, family, parameter size and file type from the GGUF.
     */
    private static ModelConfig config(CreateCommand c, GgufFile gguf, ModelConfig base) {
        String renderer = or(c.renderer(), base == null ? "" : base.renderer());
        String parser = or(c.parser(), base == null ? "" : base.parser());
        String requires = or(c.requires(), base == null ? "" : base.requires());
        List<String> capabilities = base == null ? List.of() : base.capabilities();
        String format = base == null || base.modelFormat().isEmpty() ? "gguf" : base.modelFormat();
        String family = gguf.architecture().orElse("");
        return new ModelConfig(format, family, family.isEmpty() ? null : List.of(family), gguf.parameterSize(),
                gguf.quantizationLevel(), renderer, parser, requires, "", "", capabilities, 0, 0, "", "amd64", "linux");
    }

    private void touch(Digest digest) {
        try {
            Files.setLastModifiedTime(store.blobPath(digest), FileTime.from(Instant.now()));
        } catch (IOException e) {
            // Only the prune grace period of an Ollama sharing the store looks at it.
        }
    }

    private static ModelName parseOr(String raw, String message) {
        try {
            return ModelName.parse(raw == null ? "" : raw);
        } catch (InvalidModelNameException e) {
            throw new InvalidRequestException(message);
        }
    }

    /** Go's {@code fs.ValidPath}: relative, slash-separated, no empty, "." or ".." element. */
    static boolean validPath(String p) {
        if (p.equals(".")) return true;
        if (p.isEmpty() || p.startsWith("/") || p.endsWith("/")) return false;
        for (String element : p.split("/", -1)) {
            if (element.isEmpty() || element.equals(".") || element.equals("..")) return false;
        }
        return true;
    }

    /** Go's {@code %q} for the plain strings of names. */
    static String goQuote(String s) {
        String v = s == null ? "" : s;
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String or(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Optional<String> nonEmpty(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
