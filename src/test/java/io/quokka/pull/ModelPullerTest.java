package io.quokka.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.store.Digest;
import io.quokka.store.ModelName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The puller on its own, with the file-system seam ({@link Disk}): a full disk midway and too little free space up
 * front leave the store as it was; names; the Hugging Face file choice.
 */
class ModelPullerTest {
    static final String REPO = "library/toy-pull";
    final LoopbackRegistry registry = LoopbackRegistry.shared();
    Path root;

    @BeforeEach
    void store() throws IOException {
        root = Files.createTempDirectory("quokka-pull-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        registry.clearFaults();
        LoopbackRegistry.deleteTree(root);
    }

    private ModelPuller puller(Disk disk) {
        PullSettings settings = PullSettings.defaults().withHuggingFace(registry.base())
                .withFirstBackoff(Duration.ofMillis(10));
        return new ModelPuller(root, settings, disk);
    }

    private String name() {
        return registry.host() + "/" + REPO + ":latest";
    }

    /** A disk that fills up after {@code capacity} bytes of downloads. */
    static Disk fillsUpAfter(long capacity) {
        AtomicLong written = new AtomicLong();
        Disk real = Disk.system();
        return new Disk() {
            @Override
            public long usableSpace(Path dir) throws IOException {
                return real.usableSpace(dir);
            }

            @Override
            public void write(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
                if (written.addAndGet(bytes.remaining()) > capacity) throw new IOException("No space left on device");
                real.write(channel, bytes, position);
            }
        };
    }

    @Test
    void aFullDiskMidwayLeavesTheStoreAsItWasAndTheNextPullResumes() throws Exception {
        Digest weights = registry.modelDigest(REPO, "latest");
        List<PullEvent> events = new ArrayList<>();
        PullException e = assertThrows(PullException.class,
                () -> puller(fillsUpAfter(100_000)).pull(name(), true, events::add, () -> false));
        assertTrue(e.getMessage().startsWith("cannot write " + weights.hex().substring(0, 12) + " to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("No space left on device"), e.getMessage());
        assertFalse(Files.exists(ModelName.parse(name()).manifestPath(root)));
        assertFalse(Files.exists(weights.blobPath(root)));
        StoreCheck.assertConsistent(root);
        assertFalse(StoreCheck.partials(root, weights).isEmpty(), "what was written stays, to resume");
        assertInstanceOf(PullEvent.PullingManifest.class, events.getFirst());

        // Space again: a new puller (a restarted server) resumes from the partial download.
        puller(Disk.system()).pull(name(), true, ev -> {}, () -> false);
        assertTrue(registry.rangeStarts(weights).getLast() > 0, "resumed: " + registry.rangeStarts(weights));
        StoreCheck.assertConsistent(root);
        assertTrue(Files.exists(ModelName.parse(name()).manifestPath(root)));
        assertEquals(List.of(), StoreCheck.partials(root, weights));
    }

    @Test
    void tooLittleFreeSpaceIsRefusedBeforeAnythingIsWritten() throws Exception {
        Disk small = new Disk() {
            @Override
            public long usableSpace(Path dir) {
                return 1000;
            }

            @Override
            public void write(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
                Disk.system().write(channel, bytes, position);
            }
        };
        PullException e = assertThrows(PullException.class, () -> puller(small).pull(name(), true, ev -> {}, () -> false));
        assertTrue(e.getMessage().startsWith("not enough disk space to pull " + registry.host() + "/library/toy-pull:latest: it needs "),
                e.getMessage());
        try (var files = Files.list(root.resolve("blobs"))) {
            assertEquals(List.of(), files.toList(), "nothing written");
        }
    }

    @Test
    void aServerThatKeepsFailingGivesUpWithAClearError() {
        Digest weights = registry.modelDigest(REPO, "latest");
        LoopbackRegistry.Fault f = registry.fault(weights);
        f.cutAfter = 0;
        f.cuts.set(100);
        PullException e = assertThrows(PullException.class,
                () -> puller(Disk.system()).pull(name(), true, ev -> {}, () -> false));
        assertTrue(e.getMessage().startsWith("max retries exceeded: "), e.getMessage());
        StoreCheck.assertConsistent(root);
        assertFalse(Files.exists(ModelName.parse(name()).manifestPath(root)));
    }

    /** A loopback port nobody listens on (bound, then let go). */
    static int deadPort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Pulls with Ollama's own backoff (1 s, doubling: 31 s of retries) and answers the failure and how long it took. */
    private static PullException failsWithin(Duration limit, ModelPuller puller, String model, boolean insecure) {
        long start = System.nanoTime();
        PullException e = assertThrows(PullException.class, () -> puller.pull(model, insecure, ev -> {}, () -> false));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(limit) < 0, "failed after " + took.toMillis() + " ms: " + e.getMessage());
        assertEquals(PullException.Kind.FAILED, e.kind());
        return e;
    }

    @Test
    void aRegistryThatRefusesTheConnectionFailsAtOnceWithGosDialError() throws Exception {
        int port = deadPort();
        ModelPuller puller = new ModelPuller(root, PullSettings.defaults(), Disk.system());
        PullException e = failsWithin(Duration.ofSeconds(3), puller, "127.0.0.1:" + port + "/library/toy:latest", true);
        assertEquals("pull model manifest: Get \"http://127.0.0.1:" + port + "/v2/library/toy/manifests/latest\": "
                + "dial tcp 127.0.0.1:" + port + ": connect: connection refused", e.getMessage());
        StoreCheck.assertConsistent(root);
    }

    @Test
    void aRegistryHostThatDoesNotResolveFailsAtOnceWithGosLookupError() {
        ModelPuller puller = new ModelPuller(root, PullSettings.defaults(), Disk.system());
        PullException e = failsWithin(Duration.ofSeconds(3), puller, "nonexistent.invalid/library/toy", false);
        assertEquals("pull model manifest: Get \"https://nonexistent.invalid/v2/library/toy/manifests/latest\": "
                + "dial tcp: lookup nonexistent.invalid: no such host", e.getMessage());
        e = failsWithin(Duration.ofSeconds(3), puller, "https://nonexistent.invalid/files/toy-Q8_0.gguf", false);
        assertEquals("pull model manifest: Head \"https://nonexistent.invalid/files/toy-Q8_0.gguf\": "
                + "dial tcp: lookup nonexistent.invalid: no such host", e.getMessage());
    }

    @Test
    void blobsRedirectedToAHostThatRefusesFailAtOnceAsOllamasFirstBlobRequestDoes() throws Exception {
        int port = deadPort();
        Digest weights = registry.modelDigest(REPO, "latest");
        registry.redirectBlobsTo(java.net.URI.create("http://127.0.0.1:" + port));
        ModelPuller puller = new ModelPuller(root, PullSettings.defaults(), Disk.system());
        PullException e = failsWithin(Duration.ofSeconds(3), puller, name(), true);
        assertTrue(e.getMessage().startsWith("Get \"http://127.0.0.1:" + port + "/cdn/sha256:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\": dial tcp 127.0.0.1:" + port + ": connect: connection refused"),
                e.getMessage());
        assertFalse(Files.exists(weights.blobPath(root)));
        StoreCheck.assertConsistent(root);
    }

    @Test
    void aBlobInPartsIsFetchedAtOnceAndResumedPartByPart() throws Exception {
        Digest weights = registry.modelDigest(REPO, "latest");
        long size = registry.repoFileSize(weights);
        LoopbackRegistry.Fault f = registry.fault(weights);
        f.cutAfter = size / 2;
        f.cuts.set(100); // every transfer crossing the middle is cut: the pull fails, its parts stay
        ModelPuller puller = new ModelPuller(root, PullSettings.defaults().withFirstBackoff(Duration.ofMillis(5))
                .withMinPart(64 * 1024), Disk.system());
        assertThrows(PullException.class, () -> puller.pull(name(), true, ev -> {}, () -> false));
        int parts = (int) ((size + 64 * 1024 - 1) / (64 * 1024));
        assertEquals(parts + 1, StoreCheck.partials(root, weights).size(), "the data file and one record per part");
        StoreCheck.assertConsistent(root);
        f.cuts.set(0);
        int before = registry.rangeStarts(weights).size();
        puller.pull(name(), true, ev -> {}, () -> false);
        List<Long> resumed = registry.rangeStarts(weights).subList(before, registry.rangeStarts(weights).size());
        // Parts already complete are not fetched again; the cut one resumes where it stopped; those past the cut (which
        // the fault cut before their first byte) start at their beginning.
        List<Long> expected = new ArrayList<>(List.of(size / 2));
        for (long offset = (size / 2 / 65536 + 1) * 65536; offset < size; offset += 65536) expected.add(offset);
        assertEquals(expected, resumed.stream().sorted().toList());
        assertEquals(List.of(), StoreCheck.partials(root, weights));
        StoreCheck.assertConsistent(root);
        assertTrue(Files.exists(ModelName.parse(name()).manifestPath(root)));
    }

    @Test
    void aStalledTransferIsCutAndResumed() throws Exception {
        Digest weights = registry.modelDigest(REPO, "latest");
        LoopbackRegistry.Fault f = registry.fault(weights);
        f.pauseAfter = registry.repoFileSize(weights) / 2;
        f.pause = new java.util.concurrent.CountDownLatch(1);
        ModelPuller puller = new ModelPuller(root, PullSettings.defaults().withFirstBackoff(Duration.ofMillis(10))
                .withStall(Duration.ofMillis(300)), Disk.system());
        long start = System.nanoTime();
        try {
            puller.pull(name(), true, ev -> {}, () -> false);
        } finally {
            f.pause.countDown();
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "the stall was cut, not waited out");
        assertEquals(f.pauseAfter, registry.rangeStarts(weights).getLast());
        StoreCheck.assertConsistent(root);
    }

    @Test
    void aHuggingFaceListingWithoutDigestsIsHashedOnArrival() {
        registry.hideLfsDigests(true);
        ModelName stored = puller(Disk.system()).pull("hf.co/tester/toy-GGUF:Q8_0", false, ev -> {}, () -> false);
        assertEquals(ModelName.parse("hf.co/tester/toy-GGUF:Q8_0"), stored);
        StoreCheck.assertConsistent(root);
        assertTrue(Files.exists(Digest.of(registry.repoFile("tester/toy-GGUF", "toy-Q8_0.gguf")).blobPath(root)));
    }

    @Test
    void namesParseAsOllamaReadsThem() {
        assertInstanceOf(PullTarget.Registry.class, PullTarget.parse("llama3.2", false));
        var r = (PullTarget.Registry) PullTarget.parse("llama3.2", false);
        assertEquals("https://registry.ollama.ai", r.base().toString());
        assertEquals("http://localhost:5000", ((PullTarget.Registry) PullTarget.parse("localhost:5000/ns/m:t", true)).base().toString());
        assertEquals("http://h:1", ((PullTarget.Registry) PullTarget.parse("http://h:1/ns/m", true)).base().toString());
        assertEquals("insecure protocol http", assertThrows(PullException.class,
                () -> PullTarget.parse("http://h:1/ns/m", false)).getMessage());
        assertEquals(PullException.Kind.INVALID_REQUEST, assertThrows(PullException.class,
                () -> PullTarget.parse("", false)).kind());
        var hf = (PullTarget.HuggingFace) PullTarget.parse("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", false);
        assertEquals("bartowski", hf.user());
        assertEquals("Llama-3.2-1B-Instruct-GGUF", hf.repo());
        assertEquals("Q4_K_M", hf.quant());
        assertEquals("", ((PullTarget.HuggingFace) PullTarget.parse("huggingface.co/u/r", false)).quant());
        var url = (PullTarget.DirectUrl) PullTarget.parse("https://example.com/models/tiny-Q8_0.gguf?download=1", false);
        assertEquals(ModelName.parse("example.com/models/tiny-Q8_0:latest"), url.name());
    }

    @Test
    void theQuantizationIsChosenLikeOllamaAndLlamaCpp() {
        var files = List.of(file("model-Q8_0.gguf"), file("model-Q4_K_M.gguf"), file("model-Q4_K_S.gguf"),
                file("mmproj-model-f16.gguf"), file("model.Q5_K_M.gguf"), file("README.md"));
        assertEquals("model-Q4_K_M.gguf", HuggingFaceResolver.choose(files, "", "u/r").path());
        assertEquals("model-Q4_K_S.gguf", HuggingFaceResolver.choose(files, "q4_k_s", "u/r").path());
        assertEquals("model.Q5_K_M.gguf", HuggingFaceResolver.choose(files, "Q5_K_M", "u/r").path());
        assertThrows(PullException.class, () -> HuggingFaceResolver.choose(files, "Q4_K", "u/r"));
        assertEquals("a-f16.gguf", HuggingFaceResolver.choose(List.of(file("a-f16.gguf")), "", "u/r").path());
        assertTrue(assertThrows(PullException.class, () -> HuggingFaceResolver.choose(
                List.of(file("m-Q4_0-00001-of-00002.gguf"), file("m-Q4_0-00002-of-00002.gguf")), "", "u/r"))
                .getMessage().contains("split"));
    }

    private static HuggingFaceResolver.RepoFile file(String path) {
        return new HuggingFaceResolver.RepoFile(path, 1, Optional.empty());
    }
}
