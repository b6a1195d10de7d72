package io.quokka.pull;

import io.quokka.store.Digest;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Fetches blobs into {@code blobs/} safely, in Ollama's on-disk form:
 * <ul>
 *   <li>bytes go to {@code sha256-<hex>-partial}, with one {@code sha256-<hex>-partial-<n>} JSON file per part saying
 *       how much of it is there ({@code {"N","Offset","Size","Completed"}}, as Ollama writes them, so either program
 *       resumes the other's download); neither is a blob, so no model can see them;</li>
 *   <li>an interrupted transfer resumes with an HTTP {@code Range} request, within a pull (retries with a doubling
 *       backoff; the count resets whenever an attempt made progress) and across pulls and restarts;</li>
 *   <li>the whole file is hashed before it is renamed (atomically) into {@code sha256-<hex>}; a mismatch deletes the
 *       partial download, which must then start over;</li>
 *   <li>a write failure (a full disk), an error status other than 5xx/408/429, a size that disagrees with the
 *       manifest, or a host that cannot be reached before any request of the download was answered ends the
 *       download at once;</li>
 *   <li>concurrent pulls of one blob share one download; it stops when the last of them leaves.</li>
 * </ul>
 */
final class BlobDownloads {
    private static final Logger LOG = Logger.getLogger(BlobDownloads.class);
    /** Ollama's part sizing: 16 parts, each between {@link PullSettings#minPart()} (100 MB) and 1000 MB. */
    static final int NUM_PARTS = 16;
    static final long MAX_PART = 1000L * 1000 * 1000;
    /** How often waiters are told the progress (Ollama's ticker). */
    static final Duration TICK = Duration.ofMillis(60);
    private static final Duration SAVE_EVERY = Duration.ofSeconds(1);
    private static final Pattern PART_FILE = Pattern.compile("-partial-(\\d+)$");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final Path blobs;
    private final RegistryHttp http;
    private final Disk disk;
    private final PullSettings settings;
    private final Map<String, Download> active = new ConcurrentHashMap<>();
    /** Downloads started (not shared) since creation: lets tests see that concurrent pulls shared one. */
    private final AtomicLong started = new AtomicLong();

    BlobDownloads(Path storeRoot, RegistryHttp http, Disk disk, PullSettings settings) {
        this.blobs = storeRoot.resolve("blobs");
        this.http = http;
        this.disk = disk;
        this.settings = settings;
    }

    long started() {
        return started.get();
    }

    /** Bytes still to download for {@code source}: its size less what a partial download already holds. */
    long missingBytes(BlobSource source) {
        if (source.digest() != null && Files.isRegularFile(source.digest().blobPath(blobs.getParent()))) return 0;
        long have = readParts(source).stream().mapToLong(p -> p.completed.get()).sum();
        return Math.max(0, source.size() - have);
    }

    /**
     * Makes the blob present, downloading it or joining a download of it in progress, telling {@code progress} how
     * far it is every {@link #TICK}.
     *
     * @return the blob's digest (for a source without one, what it hashed to)
     * @throws PullException when the download failed, or {@code CANCELLED} when {@code cancelled} became true
     */
    Digest fetch(BlobSource source, Consumer<PullEvent> progress, BooleanSupplier cancelled) {
        if (source.digest() != null && Files.isRegularFile(source.digest().blobPath(blobs.getParent()))) {
            // Already present: not downloaded again (Ollama's cache hit).
            progress.accept(new PullEvent.Downloading(source.digestText(), source.label(), source.size(), source.size()));
            return source.digest();
        }
        Download download = active.compute(source.key(), (key, running) -> {
            if (running != null && !running.cancelled) {
                running.waiters.incrementAndGet();
                return running;
            }
            Download d = new Download(source, running);
            d.waiters.incrementAndGet();
            started.incrementAndGet();
            Thread.ofVirtual().name("pull-" + source.label()).start(d::run);
            return d;
        });
        try {
            progress.accept(download.progress());
            while (true) {
                try {
                    Digest digest = download.result.get(TICK.toMillis(), TimeUnit.MILLISECONDS);
                    progress.accept(new PullEvent.Downloading(source.digestText(), source.label(), source.size(),
                            source.size()));
                    return digest;
                } catch (TimeoutException tick) {
                    if (cancelled.getAsBoolean()) throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                    progress.accept(download.progress());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof PullException p) throw p;
                    Throwable cause = e.getCause();
                    // A file system refusal as Go words it ("<path>: read-only file system"), not a class name.
                    String message = cause instanceof IOException failure ? io.quokka.store.StoreException.describe(failure)
                            : String.valueOf(cause.getMessage());
                    throw new PullException(message, cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                }
            }
        } finally {
            if (download.waiters.decrementAndGet() == 0 && !download.result.isDone()) {
                // Nobody wants it any more: stop, keeping what arrived for the next pull to resume.
                download.cancel();
            }
        }
    }

    /** One part of a download, as Ollama's {@code blobDownloadPart}. */
    static final class Part {
        final int n;
        final long offset;
        final long size;
        final AtomicLong completed;

        Part(int n, long offset, long size, long completed) {
            this.n = n;
            this.offset = offset;
            this.size = size;
            this.completed = new AtomicLong(completed);
        }

        String json() {
            return "{\"N\":" + n + ",\"Offset\":" + offset + ",\"Size\":" + size + ",\"Completed\":" + completed.get()
                    + "}\n";
        }
    }

    /** The parts of a partial download on disk, if they describe a download of this size; else none. */
    private List<Part> readParts(BlobSource source) {
        Path partial = blobs.resolve(source.key() + "-partial");
        List<Part> parts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs, source.key() + "-partial-*")) {
            for (Path f : files) {
                Matcher m = PART_FILE.matcher(f.getFileName().toString());
                if (!m.find()) continue;
                var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllBytes(f));
                parts.add(new Part(node.path("N").asInt(), node.path("Offset").asLong(), node.path("Size").asLong(),
                        node.path("Completed").asLong()));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            LOG.infof("ignoring unreadable partial download of %s: %s", source.label(), e.getMessage());
            return List.of();
        }
        parts.sort(Comparator.comparingLong(p -> p.offset));
        long expect = 0;
        for (Part p : parts) {
            if (p.offset != expect || p.size <= 0 || p.completed.get() < 0 || p.completed.get() > p.size) return List.of();
            expect += p.size;
        }
        if (expect != source.size() || !Files.isRegularFile(partial)) return List.of();
        try {
            long length = Files.size(partial);
            for (Part p : parts) {
                // Believe no more than the file holds.
                p.completed.set(Math.max(0, Math.min(p.completed.get(), length - p.offset)));
            }
        } catch (IOException e) {
            return List.of();
        }
        return parts;
    }

    /** Ollama's split of a new download into parts. */
    static List<Part> plan(long total, long minPart) {
        long size = Math.clamp(total / NUM_PARTS, minPart, Math.max(minPart, MAX_PART));
        List<Part> parts = new ArrayList<>();
        for (long offset = 0; offset < total; offset += size) {
            parts.add(new Part(parts.size(), offset, Math.min(size, total - offset), 0));
        }
        if (parts.isEmpty()) parts.add(new Part(0, 0, 0, 0));
        return parts;
    }

    /** One download, shared by every pull that needs the blob meanwhile. */
    private final class Download {
        final BlobSource source;
        final Download previous;
        final CompletableFuture<Digest> result = new CompletableFuture<>();
        final AtomicLong completed = new AtomicLong();
        final AtomicInteger waiters = new AtomicInteger();
        final Set<Closeable> open = ConcurrentHashMap.newKeySet();
        final CountDownLatch cancelSignal = new CountDownLatch(1);
        volatile boolean cancelled;
        /** Whether a request of this download has been answered; until then an unreachable host ends it at once. */
        volatile boolean answered;

        Download(BlobSource source, Download previous) {
            this.source = source;
            this.previous = previous;
        }

        PullEvent.Downloading progress() {
            return new PullEvent.Downloading(source.digestText(), source.label(), source.size(), completed.get());
        }

        void cancel() {
            cancelled = true;
            cancelSignal.countDown();
            for (Closeable c : open) closeQuietly(c);
        }

        void run() {
            Digest digest = null;
            Throwable failure = null;
            try {
                // A cancelled download of the same blob may still be writing its last bytes: let it finish first.
                if (previous != null) previous.result.handle((d, e) -> null).join();
                digest = download();
            } catch (Throwable t) {
                failure = t;
            } finally {
                active.remove(source.key(), this);
            }
            if (failure != null) result.completeExceptionally(failure);
            else result.complete(digest);
        }

        private Digest download() throws IOException {
            Files.createDirectories(blobs);
            Path partial = blobs.resolve(source.key() + "-partial");
            List<Part> parts = readParts(source);
            if (parts.isEmpty()) {
                deletePartial(source.key());
                parts = plan(source.size(), settings.minPart());
                for (Part p : parts) savePart(p);
            }
            parts.forEach(p -> completed.addAndGet(p.completed.get()));
            if (completed.get() > 0) {
                LOG.infof("resuming the download of %s at %d of %d bytes", source.label(), completed.get(), source.size());
            }
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                setReadableByAll(partial);
                List<Part> todo = parts.stream().filter(p -> p.completed.get() < p.size).toList();
                if (todo.size() == 1) {
                    downloadPart(todo.getFirst(), ch);
                } else if (!todo.isEmpty()) {
                    downloadParts(todo, ch);
                }
                if (ch.size() > source.size()) ch.truncate(source.size());
                ch.force(true);
            }
            return publish(partial);
        }

        private void downloadParts(List<Part> todo, FileChannel ch) throws IOException {
            try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(NUM_PARTS, todo.size()),
                    Thread.ofVirtual().name("pull-part-", 0).factory())) {
                List<Future<Void>> futures = new ArrayList<>();
                for (Part p : todo) {
                    futures.add(pool.submit(() -> {
                        downloadPart(p, ch);
                        return null;
                    }));
                }
                for (Future<Void> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        cancel(); // the other parts stop too; what they hold is kept for a resume
                        if (e.getCause() instanceof IOException io) throw io;
                        if (e.getCause() instanceof RuntimeException r) throw r;
                        throw new IOException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel();
                        throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                    }
                }
            }
        }

        private void downloadPart(Part part, FileChannel ch) throws IOException {
            int failures = 0;
            while (part.completed.get() < part.size) {
                if (cancelled) throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                long before = part.completed.get();
                try {
                    transfer(part, ch);
                } catch (WriteFailure e) {
                    throw PullException.failed("cannot write " + source.label() + " to " + blobs + ": "
                            + e.getCause().getMessage());
                } catch (IOException e) {
                    if (cancelled) throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                    if (e instanceof RegistryHttp.StatusException s && !s.isTransient()) throw PullException.failed(e.getMessage());
                    // As Ollama's first request for a blob: a host that cannot be reached is not waited for. Once the
                    // server has answered, losing it (a restart mid-transfer) is retried like any interruption.
                    if (e instanceof RegistryHttp.Unreachable && !answered) throw PullException.failed(e.getMessage());
                    if (e instanceof SizeMismatch) throw PullException.failed(e.getMessage());
                    if (part.completed.get() > before) failures = 0;
                    failures++;
                    if (failures >= settings.maxRetries()) {
                        throw PullException.failed("max retries exceeded: " + e.getMessage());
                    }
                    Duration wait = settings.backoff(failures);
                    LOG.infof("%s part %d attempt %d failed: %s, retrying in %d ms", source.label(), part.n, failures,
                            e.getMessage(), wait.toMillis());
                    try {
                        cancelSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                    }
                } finally {
                    savePart(part);
                }
            }
        }

        /** One ranged GET of what the part still lacks, written as it arrives. */
        private void transfer(Part part, FileChannel ch) throws IOException {
            long from = part.offset + part.completed.get();
            long to = part.offset + part.size - 1;
            RegistryHttp.Opened response = http.get(source.url(), Map.of("Range", "bytes=" + from + "-" + to));
            answered = true;
            open.add(response);
            AtomicLong lastByte = new AtomicLong(System.nanoTime());
            Thread stallWatch = Thread.ofVirtual().name("pull-stall").start(() -> watchForStall(response, lastByte));
            try (response) {
                InputStream in = response.body();
                checkSize(response, from);
                if (response.status() != 206 && from > 0) in.skipNBytes(from); // Range ignored: the whole blob came
                byte[] buf = new byte[1 << 16];
                long lastSave = System.nanoTime();
                while (part.completed.get() < part.size) {
                    int want = (int) Math.min(buf.length, part.size - part.completed.get());
                    int n = in.read(buf, 0, want);
                    if (cancelled) throw new PullException(PullException.Kind.CANCELLED, "pull cancelled");
                    if (n < 0) throw new EOFException("unexpected EOF");
                    try {
                        disk.write(ch, ByteBuffer.wrap(buf, 0, n), part.offset + part.completed.get());
                    } catch (IOException e) {
                        throw new WriteFailure(e);
                    }
                    part.completed.addAndGet(n);
                    completed.addAndGet(n);
                    lastByte.set(System.nanoTime());
                    if (System.nanoTime() - lastSave > SAVE_EVERY.toNanos()) {
                        savePart(part);
                        lastSave = System.nanoTime();
                    }
                }
            } finally {
                open.remove(response);
                stallWatch.interrupt();
            }
        }

        /** Cuts a transfer that has received nothing for {@link PullSettings#stall()}; the part is then retried. */
        private void watchForStall(RegistryHttp.Opened response, AtomicLong lastByte) {
            try {
                while (true) {
                    Thread.sleep(Math.min(1000, Math.max(10, settings.stall().toMillis() / 2)));
                    if (System.nanoTime() - lastByte.get() > settings.stall().toNanos()) {
                        LOG.infof("%s stalled; retrying", source.label());
                        closeQuietly(response);
                        return;
                    }
                }
            } catch (InterruptedException done) {
                // The transfer ended.
            }
        }

        /** The registry must serve as many bytes as the manifest says; a different size is not worth retrying. */
        private void checkSize(RegistryHttp.Opened response, long from) throws SizeMismatch {
            long served = -1;
            if (response.status() == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("content-range").orElse(""));
                if (m.matches() && !m.group(3).equals("*")) served = Long.parseLong(m.group(3));
            } else if (response.contentLength().isPresent()) {
                served = response.contentLength().getAsLong();
            }
            if (served >= 0 && served != source.size()) {
                throw new SizeMismatch("blob " + source.label() + " is " + served + " bytes on the server, but "
                        + source.size() + " were expected");
            }
        }

        private void savePart(Part part) {
            Path file = blobs.resolve(source.key() + "-partial-" + part.n);
            try {
                Files.writeString(file, part.json(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                // Losing the record only costs a resume: the bytes are downloaded again.
                LOG.debugf("cannot record the progress of %s: %s", source.label(), e);
            }
        }

        /** Hashes the finished download and renames it into place; a mismatch deletes it. */
        private Digest publish(Path partial) throws IOException {
            Digest actual = sha256(partial);
            if (source.digest() != null && !source.digest().equals(actual)) {
                deletePartial(source.key());
                throw PullException.failed("digest mismatch, file must be downloaded again: want " + source.digest()
                        + ", got " + actual);
            }
            long length = Files.size(partial);
            if (length != source.size()) {
                deletePartial(source.key());
                throw PullException.failed("blob " + source.label() + " is " + length + " bytes, " + source.size()
                        + " were expected");
            }
            Path blob = actual.blobPath(blobs.getParent());
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            deletePartial(source.key());
            return actual;
        }
    }

    /** A write to the partial file failed (a full disk, a read-only file system): not retried. */
    private static final class WriteFailure extends IOException {
        WriteFailure(IOException cause) {
            super(cause);
        }
    }

    /** The server's blob is not the size the manifest gives: not retried. */
    private static final class SizeMismatch extends IOException {
        SizeMismatch(String message) {
            super(message);
        }
    }

    /** Removes a partial download and its part records. */
    private void deletePartial(String key) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs, key + "-partial*")) {
            for (Path f : files) Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.debugf("cannot remove the partial download %s: %s", key, e);
        }
    }

    static Digest sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                sha.update(buf);
                buf.clear();
            }
        }
        return new Digest(HexFormat.of().formatHex(sha.digest()));
    }

    private static void setReadableByAll(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debugf("cannot set permissions of %s: %s", p, e);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // Closing to stop a transfer: nothing to do if it fails.
        }
    }
}
