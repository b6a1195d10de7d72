package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.ResidentModel;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.SchedulerStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that leave at chosen and at random moments — while queued, while their model loads, during a long prompt,
 * while tokens stream, right after the last token — on every generating and embedding endpoint, streamed and not, and
 * the checks that nothing they held stays held: after each batch nothing is in flight, every slot is free, the model
 * expires on its keep-alive, the server's and the runner's memory stay flat, liveness is UP past the watchdog, and the
 * next request is served at once. Used by {@link DepartureApiTest} (one slot) and {@link DepartureParallelApiTest}
 * (two slots), which differ only in {@code OLLAMA_NUM_PARALLEL}.
 */
final class Departures {
    /** The server settings these tests run with: short enough to watch a keep-alive and the watchdog pass. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(2);
    static final Duration WATCHDOG = Duration.ofSeconds(3);
    static final String TOY = "toy";

    static Map<String, String> settings(int slots) {
        return Map.of("quokka.num-parallel", Integer.toString(slots), "quokka.keep-alive", KEEP_ALIVE.toSeconds() + "s",
                "quokka.watchdog", WATCHDOG.toSeconds() + "s");
    }

    enum Endpoint {
        GENERATE("/api/generate", true), CHAT("/api/chat", true), EMBED("/api/embed", false),
        V1_CHAT("/v1/chat/completions", true), V1_COMPLETIONS("/v1/completions", true),
        V1_EMBEDDINGS("/v1/embeddings", false);

        final String path;
        final boolean streams;

        Endpoint(String path, boolean streams) {
            this.path = path;
            this.streams = streams;
        }

        /** A request for {@code model}; {@code predict} tokens (generation) or {@code inputs} copies (embedding). */
        String body(String model, String prompt, boolean stream, int predict, int inputs) {
            String text = '"' + prompt + '"';
            String many = inputs <= 1 ? text : "[" + String.join(",", Collections.nCopies(inputs, text)) + "]";
            String messages = "[{\"role\":\"user\",\"content\":" + text + "}]";
            return switch (this) {
                case GENERATE -> "{\"model\":\"%s\",\"prompt\":%s,\"stream\":%s,\"options\":{\"num_predict\":%d}}"
                        .formatted(model, text, stream, predict);
                case CHAT -> "{\"model\":\"%s\",\"messages\":%s,\"stream\":%s,\"options\":{\"num_predict\":%d}}"
                        .formatted(model, messages, stream, predict);
                case EMBED -> "{\"model\":\"%s\",\"input\":%s}".formatted(model, many);
                case V1_CHAT -> "{\"model\":\"%s\",\"messages\":%s,\"stream\":%s,\"max_tokens\":%d}"
                        .formatted(model, messages, stream, predict);
                case V1_COMPLETIONS -> "{\"model\":\"%s\",\"prompt\":%s,\"stream\":%s,\"max_tokens\":%d}"
                        .formatted(model, text, stream, predict);
                case V1_EMBEDDINGS -> "{\"model\":\"%s\",\"input\":%s}".formatted(model, many);
            };
        }
    }

    enum Moment { QUEUED, LOADING, PROMPT, STREAMING, AFTER_LAST, RANDOM }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final int slots;
    private final Scheduler scheduler;
    private final GenerationService service;
    private final String longPromptModel;
    private final String longPrompt;
    /** Departures made, by moment and endpoint. */
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    /** What the departing clients had seen when they left: headers only, some body, a whole answer. */
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final List<String> figures = new ArrayList<>();
    private long firstHeap = -1;
    private long firstRunnerRss = -1;

    Departures(URI base, int slots, Scheduler scheduler, GenerationService service) {
        this.base = base;
        this.slots = slots;
        this.scheduler = scheduler;
        this.service = service;
        this.longPromptModel = BigModel.install();
        this.longPrompt = "word ".repeat(1000).trim();
    }

    int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Sends a request on a connection of its own, which the caller closes at the moment it chooses. */
    Socket send(String path, String body) throws IOException {
        Socket socket = RawHttp.post(base, path, body);
        socket.setSoTimeout(120_000);
        return socket;
    }

    /** Reads until {@code count} chunks (NDJSON lines or SSE data events) have arrived, or the answer ends. */
    static int readChunks(Socket socket, int count) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        int chunks = 0;
        String line;
        while (chunks < count && (line = in.readLine()) != null) {
            if (line.startsWith("{") || line.startsWith("data: {")) chunks++;
            if (line.equals("data: [DONE]") || line.contains("\"done\":true") || line.equals("0")) break;
        }
        return chunks;
    }

    /** Waits until the answer's first bytes (its status line) arrive. */
    static void readStatus(Socket socket) throws IOException {
        socket.getInputStream().read();
    }

    private void count(Moment moment, Endpoint endpoint, boolean stream) {
        counts.computeIfAbsent(moment + " " + endpoint + (stream ? " stream" : ""), k -> new AtomicInteger())
                .incrementAndGet();
    }

    private void saw(String what) {
        seen.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    // ---- the moments

    /** Every slot is taken by an endless stream; the request queues behind them and leaves. */
    void whileQueued(Endpoint endpoint, boolean stream, Random random) throws Exception {
        List<Socket> blockers = new ArrayList<>();
        try {
            for (int i = 0; i < slots; i++) {
                Socket blocker = send(Endpoint.GENERATE.path, Endpoint.GENERATE.body(TOY, "Go on", true, 1_000_000, 1));
                blockers.add(blocker);
                readChunks(blocker, 3);
            }
            try (Socket s = send(endpoint.path, endpoint.body(TOY, "Hello there", stream, 64, 1))) {
                Thread.sleep(30 + random.nextInt(300));
            }
            count(Moment.QUEUED, endpoint, stream);
        } finally {
            for (Socket blocker : blockers) blocker.close(); // each leaves while its tokens stream
        }
        for (int i = 0; i < slots; i++) count(Moment.STREAMING, Endpoint.GENERATE, true);
    }

    /**
     * The model is not resident; the client leaves during its load (a runner takes a few hundred ms to start): once
     * before a streamed answer commits its headers (within its first 100 ms), once after.
     */
    void whileLoading(Endpoint endpoint, boolean stream, Random random) throws Exception {
        for (int after : new int[] {0, 120}) {
            unload(TOY);
            try (Socket s = send(endpoint.path, endpoint.body(TOY, "Hello there", stream, 64, 1))) {
                Thread.sleep(after + random.nextInt(80));
            }
            count(Moment.LOADING, endpoint, stream);
        }
    }

    /** A ~1,000-token prompt on the ~100 MB model: seconds of prompt evaluation, left part-way. */
    void duringPrompt(Endpoint endpoint, boolean stream, Random random) throws Exception {
        ensureResident(longPromptModel);
        try (Socket s = send(endpoint.path, endpoint.body(longPromptModel, longPrompt, stream, 64, 1))) {
            Thread.sleep(100 + random.nextInt(700));
        }
        count(Moment.PROMPT, endpoint, stream);
    }

    /** Tokens (or embeddings) are being produced; the client leaves after a few chunks, or mid-answer. */
    void whileStreaming(Endpoint endpoint, boolean stream, Random random) throws Exception {
        try (Socket s = send(endpoint.path, endpoint.body(TOY, "Tell me a long story", stream, 1_000_000, 300))) {
            if (stream) saw(readChunks(s, 1 + random.nextInt(10)) > 0 ? "some chunks" : "nothing");
            else Thread.sleep(50 + random.nextInt(400));
        }
        count(Moment.STREAMING, endpoint, stream);
    }

    /** A short answer: the client leaves as its last token arrives, before reading the rest. */
    void afterLastToken(Endpoint endpoint, boolean stream) throws Exception {
        int predict = 3;
        try (Socket s = send(endpoint.path, endpoint.body(TOY, "Hi", stream, predict, 1))) {
            if (stream) readChunks(s, predict + (endpoint == Endpoint.V1_CHAT ? 1 : 0));
            else readStatus(s);
        }
        count(Moment.AFTER_LAST, endpoint, stream);
    }

    /**
     * A client that leaves at a random moment: a random endpoint, streamed or not, on a model that may not be resident
     * yet, with a long or a short prompt, closing after a random delay (or a random number of chunks).
     */
    void atRandom(Random random) throws Exception {
        Endpoint endpoint = Endpoint.values()[random.nextInt(Endpoint.values().length)];
        boolean stream = endpoint.streams && random.nextBoolean();
        if (random.nextInt(5) == 0) unloadAsync(TOY);
        boolean big = random.nextInt(4) == 0;
        String model = big ? longPromptModel : TOY;
        String prompt = big && random.nextBoolean() ? longPrompt : "Tell me about quokkas";
        int predict = random.nextInt(3) == 0 ? 2 + random.nextInt(6) : 100_000;
        try (Socket s = send(endpoint.path, endpoint.body(model, prompt, stream, predict, 1 + random.nextInt(20)))) {
            if (stream && random.nextBoolean()) readChunks(s, 1 + random.nextInt(8));
            else Thread.sleep(random.nextInt(1200));
        }
        count(Moment.RANDOM, endpoint, stream);
    }

    // ---- the checks after a batch

    /**
     * Nothing the departed clients held is still held: in flight, every slot free, the model expires on its keep-alive,
     * flat memory, liveness UP past the watchdog, and the next request served at once.
     */
    void assertNothingHeld(String batch) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        SchedulerStats stats = scheduler.stats();
        while ((stats.inFlight() > 0 || stats.queued() > 0 || stats.loading() != null
                || !service.inFlight().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            stats = scheduler.stats();
        }
        assertEquals(0, stats.queued(), batch + ": requests still queued");
        assertEquals(0, stats.inFlight(), batch + ": leases still held " + scheduler.resident());
        assertEquals(0, service.inFlight().size(), batch + ": generations still in flight");
        for (ResidentModel m : scheduler.resident()) assertEquals(0, m.inUse(), batch + ": a slot is held: " + m);

        long runnerRss = runnerRss(TOY);
        long heap = heapAfterGc();

        // The watchdog would turn liveness DOWN for a generation that holds a lease without progress.
        Thread.sleep(WATCHDOG.toMillis() + 500);
        JsonNode live = get("/q/health/live");
        assertEquals("UP", live.path("status").asText(), batch + ": liveness " + live);
        assertEquals(0, live.path("checks").path(0).path("data").path("in_flight").asInt(-1), batch + ": " + live);

        // Every model expires on its keep-alive (already past, counting the wait above), and its runner exits.
        long expiry = System.nanoTime() + KEEP_ALIVE.plusSeconds(15).toNanos();
        while (get("/api/ps").path("models").size() > 0 && System.nanoTime() < expiry) Thread.sleep(100);
        assertEquals(0, get("/api/ps").path("models").size(), batch + ": still resident " + get("/api/ps"));

        long start = System.nanoTime();
        HttpResponse<String> next = post("/api/generate", Endpoint.GENERATE.body(TOY, "Next please", false, 4, 1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, next.statusCode(), batch + ": " + next.body());
        assertEquals(4, NdjsonClient.parse(next.body()).path("eval_count").asInt(), next.body());
        assertTrue(millis < 15_000, batch + ": the next request took " + millis + " ms");

        if (firstHeap < 0) firstHeap = heap;
        if (firstRunnerRss < 0 && runnerRss > 0) firstRunnerRss = runnerRss;
        figures.add("%s: %d departures so far; server heap after GC %d MB; toy runner RSS %s; next request %d ms"
                .formatted(batch, total(), heap >> 20, runnerRss > 0 ? (runnerRss >> 20) + " MB" : "(not resident)",
                        millis));
        assertTrue(heap - firstHeap < 48L << 20, batch + ": server heap grew from " + (firstHeap >> 20) + " to "
                + (heap >> 20) + " MB");
        if (runnerRss > 0 && firstRunnerRss > 0) {
            assertTrue(runnerRss < firstRunnerRss * 3 / 2, batch + ": toy runner RSS grew from "
                    + (firstRunnerRss >> 20) + " to " + (runnerRss >> 20) + " MB");
        }
    }

    /** The counts, and the figures of each batch, for the log. */
    String report() {
        StringBuilder out = new StringBuilder("departures with " + slots + " slot(s): " + total() + "\n");
        new TreeMap<>(counts).forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        new TreeMap<>(seen).forEach((k, v) -> out.append("  streamed clients that saw ").append(k).append(": ")
                .append(v).append('\n'));
        figures.forEach(f -> out.append("  ").append(f).append('\n'));
        return out.toString();
    }

    // ---- helpers

    void unload(String model) throws Exception {
        HttpResponse<String> r = post("/api/generate", "{\"model\":\"" + model + "\",\"keep_alive\":0}");
        assertEquals(200, r.statusCode(), r.body());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (resident(model) && System.nanoTime() < deadline) Thread.sleep(20);
    }

    private void unloadAsync(String model) {
        HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"keep_alive\":0}")).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    void ensureResident(String model) throws Exception {
        if (resident(model)) return;
        HttpResponse<String> r = post("/api/generate", "{\"model\":\"" + model + "\"}");
        assertEquals(200, r.statusCode(), r.body());
    }

    private boolean resident(String model) {
        return scheduler.resident().stream().anyMatch(m -> m.spec().name().startsWith(model + ":"));
    }

    /** The resident set of {@code model}'s runner process (0 if not resident). */
    private long runnerRss(String model) throws IOException {
        for (ResidentModel m : scheduler.resident()) {
            if (!m.spec().name().startsWith(model + ":")) continue;
            String file = m.spec().load().modelFile().toString();
            for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
                Path proc = Path.of("/proc", Long.toString(p.pid()));
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException gone) {
                    continue;
                }
                if (!cmdline.contains(file)) continue;
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) << 10;
                }
            }
        }
        return 0;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return NdjsonClient.parse(r.body());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
