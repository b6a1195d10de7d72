package io.quokka.pull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quokka.store.Digest;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A registry on loopback, for tests: speaks the Ollama (Docker v2) registry protocol for models generated into it,
 * Hugging Face's listing and {@code resolve} URLs for GGUF files, and serves plain files; with hooks to misbehave
 * (cut a transfer, pause it, corrupt or resize a blob, redirect to another host, send slowly) and a log of the
 * requests it saw. Two instances make a registry and the CDN it redirects to.
 */
public final class LoopbackRegistry implements AutoCloseable {
    private static volatile LoopbackRegistry shared;
    private static volatile LoopbackRegistry sharedCdn;

    private final HttpServer server;
    /** Blobs by digest, shared with the CDN instance. */
    private final Map<Digest, byte[]> blobs;
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    /** Hugging Face repositories: "user/repo" → file name → bytes. */
    private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    /** Every request: "METHOD path [range]". */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<Digest, Fault> faults = new ConcurrentHashMap<>();
    private volatile URI redirectBlobsTo;
    private volatile boolean hideLfsDigests;

    /** How a blob misbehaves on its next transfers. */
    public static final class Fault {
        /** Transfers still to be cut short after {@link #cutAfter} bytes. */
        public final AtomicInteger cuts = new AtomicInteger();
        public volatile long cutAfter;
        /** When set, a transfer stops after {@link #pauseAfter} bytes until this opens. */
        public volatile CountDownLatch pause;
        public volatile long pauseAfter;
        public final CountDownLatch paused = new CountDownLatch(1);
        /** Flip a byte in the middle. */
        public volatile boolean corrupt;
        /** Serve this many bytes more (or fewer) than the blob has. */
        public volatile int extraBytes;
        /** Milliseconds to sleep after each 16 KiB sent. */
        public volatile int slowMillis;
    }

    private LoopbackRegistry(Map<Digest, byte[]> blobs) throws IOException {
        this.blobs = blobs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static LoopbackRegistry start() throws IOException {
        return new LoopbackRegistry(new ConcurrentHashMap<>());
    }

    /** A second server on another host name ({@code localhost}) serving the same blobs under {@code /cdn/}. */
    public LoopbackRegistry startCdn() throws IOException {
        return new LoopbackRegistry(blobs);
    }

    /** One registry (and its CDN) per test JVM, started on first use. */
    public static synchronized LoopbackRegistry shared() {
        if (shared == null) {
            try {
                shared = start();
                sharedCdn = shared.startCdn();
                // Its models are generated on first use, so test profiles that never pull pay only for a socket.
                shared.defaultsPending = true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public static LoopbackRegistry sharedCdn() {
        shared();
        return sharedCdn;
    }

    /** {@code 127.0.0.1:<port>}, the host part of model names on this registry. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI base() {
        return URI.create("http://" + host());
    }

    /** The same server under another host name, as a CDN a registry redirects to would be. */
    public URI otherHostBase() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    private volatile boolean defaultsPending;

    private void ensurePublished() {
        if (!defaultsPending) return;
        synchronized (this) {
            if (!defaultsPending) return;
            try {
                publishDefaults();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            defaultsPending = false;
        }
    }

    /** The toy model as {@code library/toy-pull:latest}, and a Hugging Face repo {@code tester/toy-GGUF}. */
    private void publishDefaults() throws IOException {
        publishToy("library/toy-pull", "latest", ToyModelSpec.tiny().withName("toy-pull"));
        publishToy("library/toy-pull", "other", ToyModelSpec.tiny().withName("toy-pull"));
        Path dir = Files.createTempDirectory("quokka-hf-");
        try {
            Path q8 = dir.resolve("q8.gguf");
            ToyModel.write(ToyModelSpec.tiny().withName("toy-q8"), q8);
            Path q4 = dir.resolve("q4.gguf");
            ToyModel.write(new ToyModelSpec("toy-q4", 512, 64, 2, 2, 1, 128, 2048, io.quokka.gguf.TensorType.Q4_0, 3,
                    ToyModelSpec.CHATML), q4);
            Map<String, byte[]> repo = new ConcurrentHashMap<>();
            repo.put("toy-Q8_0.gguf", Files.readAllBytes(q8));
            repo.put("toy-Q4_0.gguf", Files.readAllBytes(q4));
            repo.put("mmproj-toy-f16.gguf", "not a model".getBytes(StandardCharsets.UTF_8));
            repo.put("README.md", "# toy".getBytes(StandardCharsets.UTF_8));
            repos.put("tester/toy-GGUF", repo);
            files.put("direct/toy-Q8_0.gguf", Files.readAllBytes(q8));
        } finally {
            deleteTree(dir);
        }
    }

    /** Generates a toy model with {@code quokka toy}'s layout and serves it as {@code repo:tag}. */
    public void publishToy(String repo, String tag, ToyModelSpec spec) throws IOException {
        if (!Thread.holdsLock(this)) ensurePublished();
        Path store = Files.createTempDirectory("quokka-registry-");
        try {
            ModelName name = ModelName.parse(repo + ":" + tag);
            ToyInstaller.install(store, name, spec);
            manifests.put(repo + "/" + tag, Files.readAllBytes(name.manifestPath(store)));
            try (Stream<Path> s = Files.list(store.resolve("blobs"))) {
                for (Path b : s.toList()) blobs.put(Digest.parse(b.getFileName().toString()), Files.readAllBytes(b));
            }
        } finally {
            deleteTree(store);
        }
    }

    public byte[] manifest(String repo, String tag) {
        ensurePublished();
        return manifests.get(repo + "/" + tag);
    }

    /** The digest of the largest layer (the GGUF) of a published model. */
    public Digest modelDigest(String repo, String tag) {
        ensurePublished();
        String json = new String(manifest(repo, tag), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(json);
        Digest best = null;
        while (m.find()) {
            Digest d = Digest.parse(m.group(1));
            if (best == null || blobs.get(d).length > blobs.get(best).length) best = d;
        }
        return best;
    }

    /** The length of a served blob. */
    public long repoFileSize(Digest digest) {
        ensurePublished();
        return blobs.get(digest).length;
    }

    public byte[] repoFile(String repo, String file) {
        ensurePublished();
        return repos.get(repo).get(file);
    }

    public Fault fault(Digest digest) {
        return faults.computeIfAbsent(digest, d -> new Fault());
    }

    public void clearFaults() {
        faults.clear();
        redirectBlobsTo = null;
        hideLfsDigests = false;
    }

    /** Blob requests answer 307 to {@code base/cdn/<digest>}. */
    public void redirectBlobsTo(URI base) {
        redirectBlobsTo = base;
    }

    /** Leave the LFS sha256 out of Hugging Face listings. */
    public void hideLfsDigests(boolean hide) {
        hideLfsDigests = hide;
    }

    /** GETs of a blob's bytes seen (through any route). */
    public long blobGets(Digest digest) {
        return requests.stream().filter(r -> r.startsWith("GET ") && r.contains(digest.hex())).count();
    }

    /** {@link #blobGets} of the registry at {@code base}, asked over HTTP. */
    public static long blobGets(URI base, Digest digest) throws IOException, InterruptedException {
        var client = java.net.http.HttpClient.newHttpClient();
        String log = client.send(java.net.http.HttpRequest.newBuilder(base.resolve("/_requests")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return log.lines().filter(r -> r.startsWith("GET ") && r.contains(digest.hex())).count();
    }

    /** The Range starts of a blob's GETs. */
    public List<Long> rangeStarts(Digest digest) {
        List<Long> starts = new ArrayList<>();
        Pattern p = Pattern.compile("bytes=(\\d+)-");
        for (String r : requests) {
            if (!r.startsWith("GET ") || !r.contains(digest.hex())) continue;
            Matcher m = p.matcher(r);
            if (m.find()) starts.add(Long.parseLong(m.group(1)));
        }
        return starts;
    }

    private static final Pattern MANIFEST = Pattern.compile("/v2/([^/]+/[^/]+)/manifests/([^/]+)");
    private static final Pattern BLOB = Pattern.compile("/v2/([^/]+/[^/]+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern CDN = Pattern.compile("/cdn/(sha256:[0-9a-f]{64})");
    private static final Pattern LISTING = Pattern.compile("/api/models/([^/]+/[^/]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/main/(.+)");
    private static final Pattern FILE = Pattern.compile("/files/(.+)");

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
        if (shared != null) shared.ensurePublished();
        try (ex) {
            Matcher m;
            if ((m = MANIFEST.matcher(path)).matches()) {
                byte[] body = manifests.get(m.group(1) + "/" + m.group(2));
                if (body == null) {
                    json(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json");
                send(ex, 200, body);
            } else if ((m = BLOB.matcher(path)).matches()) {
                Digest d = Digest.parse(m.group(2));
                if (redirectBlobsTo != null) {
                    ex.getResponseHeaders().set("Location", redirectBlobsTo + "/cdn/" + d);
                    ex.sendResponseHeaders(307, -1);
                    return;
                }
                serveBlob(ex, d, blobs.get(d));
            } else if ((m = CDN.matcher(path)).matches()) {
                Digest d = Digest.parse(m.group(1));
                serveBlob(ex, d, blobs.get(d));
            } else if ((m = LISTING.matcher(path)).matches()) {
                Map<String, byte[]> repo = repos.get(m.group(1));
                if (repo == null) {
                    json(ex, 401, "{\"error\":\"Repository not found\"}");
                    return;
                }
                json(ex, 200, listing(m.group(1), repo));
            } else if ((m = RESOLVE.matcher(path)).matches()) {
                Map<String, byte[]> repo = repos.get(m.group(1));
                byte[] file = repo == null ? null : repo.get(m.group(2));
                if (file == null) {
                    json(ex, 404, "{\"error\":\"Entry not found\"}");
                    return;
                }
                Digest d = Digest.of(file);
                blobs.putIfAbsent(d, file);
                // As Hugging Face does: LFS files are served by a CDN on another host.
                ex.getResponseHeaders().set("Location", sharedCdnOr(this).otherHostBase() + "/cdn/" + d);
                ex.sendResponseHeaders(302, -1);
            } else if (path.equals("/_requests")) {
                // The request log, for a test whose class loader holds another instance of this class.
                send(ex, 200, String.join("\n", requests).getBytes(StandardCharsets.UTF_8));
            } else if ((m = FILE.matcher(path)).matches()) {
                byte[] file = files.get(m.group(1));
                if (file == null) {
                    json(ex, 404, "{\"error\":\"not found\"}");
                    return;
                }
                serveBlob(ex, Digest.of(file), file);
            } else {
                json(ex, 404, "{\"error\":\"no route\"}");
            }
        } catch (IOException e) {
            // The client went away, or a fault cut the transfer on purpose.
        }
    }

    private static LoopbackRegistry sharedCdnOr(LoopbackRegistry self) {
        return sharedCdn != null ? sharedCdn : self;
    }

    private String listing(String id, Map<String, byte[]> repo) {
        StringBuilder sb = new StringBuilder("{\"id\":\"" + id + "\",\"siblings\":[");
        List<String> names = new ArrayList<>(repo.keySet());
        names.sort(Comparator.naturalOrder());
        for (int i = 0; i < names.size(); i++) {
            byte[] f = repo.get(names.get(i));
            if (i > 0) sb.append(',');
            sb.append("{\"rfilename\":\"").append(names.get(i)).append("\",\"size\":").append(f.length);
            if (names.get(i).endsWith(".gguf") && !hideLfsDigests) {
                sb.append(",\"lfs\":{\"sha256\":\"").append(Digest.of(f).hex()).append("\",\"size\":").append(f.length)
                        .append(",\"pointerSize\":135}");
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private void serveBlob(HttpExchange ex, Digest digest, byte[] blob) throws IOException {
        if (blob == null) {
            json(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}");
            return;
        }
        Fault f = faults.get(digest);
        byte[] content = blob;
        if (f != null && f.extraBytes != 0) content = Arrays.copyOf(blob, blob.length + f.extraBytes);
        if (f != null && f.corrupt) {
            content = content.clone();
            content[content.length / 2] ^= 0x5a;
        }
        long from = 0;
        long to = content.length - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
            if (m.matches()) {
                from = Long.parseLong(m.group(1));
                if (!m.group(2).isEmpty()) to = Math.min(to, Long.parseLong(m.group(2)));
                if (from > to) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
            }
        }
        long length = to - from + 1;
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(content.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(status, length);
        OutputStream out = ex.getResponseBody();
        long sent = 0;
        boolean cut = f != null && f.cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        while (sent < length) {
            long absolute = from + sent;
            int n = (int) Math.min(16 * 1024, length - sent);
            if (cut && absolute + n > f.cutAfter) {
                n = (int) Math.max(0, f.cutAfter - absolute);
                out.write(content, (int) absolute, n);
                out.flush();
                // Drop the connection mid-body, as a flaky network does.
                throw new IOException("cut on purpose");
            }
            if (f != null && f.pause != null && absolute < f.pauseAfter && absolute + n >= f.pauseAfter) {
                int before = (int) (f.pauseAfter - absolute);
                out.write(content, (int) absolute, before);
                out.flush();
                sent += before;
                f.paused.countDown();
                try {
                    f.pause.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            out.write(content, (int) absolute, n);
            out.flush();
            sent += n;
            if (f != null && f.slowMillis > 0) {
                try {
                    Thread.sleep(f.slowMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
