package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.SamplingParams;
import io.quokka.gguf.TensorType;
import io.quokka.runner.client.RunnerEngine;
import io.quokka.runner.llamacpp.NativeLibrary;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoredModel;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Quokka's benchmark harness ({@code ./quokka bench [--smoke]}): the packaged server against the same engine code
 * driven in-process ("bare": the runner's {@code NativeModel} + {@code Batcher}, llama.cpp through FFM, no runner
 * process, frames, scheduler or HTTP) and against {@code de.kherud:llama}'s own Java API, on generated models of
 * realistic shapes, interleaved (served, bare, runner, wrapper, then the next repetition in reverse order) because the
 * machine is shared. Each in-process baseline runs in a process of its own ({@link EngineHost}). Writes
 * {@code results.md}, {@code results.json} and {@code results.png} into the output folder.
 */
public final class Bench {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String SENTENCE = "The quick brown fox jumps over the lazy dog while the sky turns blue and the "
            + "river keeps running to the sea, carrying stories of old towns and quiet hills. ";

    /** One model to measure. */
    record Shape(String key, ToyModelSpec spec, int genTokens, int promptTokens, boolean ttft) {
        String model() {
            return "bench-" + key;
        }
    }

    record Config(boolean smoke, List<Shape> shapes, int reps, int longPrompt, int ctx, int threads, int batch,
                  int queueCapacity, boolean wrapper, Path out, Path store, Path jar, String jfr, Path peer) {

        static Config parse(String... args) {
            boolean smoke = List.of(args).contains("--smoke");
            int threads = Runtime.getRuntime().availableProcessors();
            Path out = Path.of("target/bench");
            Path store = null;
            Path jar = Path.of(System.getProperty("quokka.app.jar", "target/quarkus-app/quarkus-run.jar"));
            Integer reps = null;
            boolean wrapper = true;
            String jfr = null;
            String only = null;
            Path peer = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--smoke" -> { }
                    case "--out" -> out = Path.of(args[++i]);
                    case "--store" -> store = Path.of(args[++i]);
                    case "--jar" -> jar = Path.of(args[++i]);
                    case "--reps" -> reps = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--shapes" -> only = args[++i];
                    case "--no-wrapper" -> wrapper = false;
                    case "--jfr" -> jfr = args[++i];
                    case "--peer" -> peer = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
                }
            }
            List<Shape> shapes = smoke ? smokeShapes() : fullShapes();
            if (only != null) {
                List<String> keys = List.of(only.split(","));
                shapes = fullAndSmoke().stream().filter(s -> keys.contains(s.key)).toList();
                if (shapes.isEmpty()) throw new IllegalArgumentException("no shape among " + only);
            }
            if (store == null) store = out.resolve("models");
            return new Config(smoke, shapes, reps != null ? reps : smoke ? 1 : 5, smoke ? 200 : 1000, smoke ? 512 : 2048,
                    threads, 512, smoke ? 2 : 4, wrapper, out, store, jar, jfr, peer);
        }
    }

    static final String USAGE = """
            usage: ./quokka bench [--smoke] [--out DIR] [--reps N] [--threads N] [--shapes a,b] [--no-wrapper]
                                  [--store DIR] [--jar FILE] [--jfr FILE] [--peer LLAMA_SERVER]
              --smoke       the tiny model, 2 repetitions: seconds, checks the harness works (what CI runs)
              --shapes      smollm-135m-q8_0, smollm-135m-q4_0, tinyllama-1.1b-q4_0, tiny
              --no-wrapper  skip de.kherud:llama's Java API baseline
              --jfr FILE    record the server with JFR (profile settings) into FILE
              --peer PATH   also run llama-server (PATH, built by scripts/llama-server.sh) on the same model file,
                            alternating with the served path; ratios served/llama-server
            """;

    static List<Shape> fullShapes() {
        ToyModelSpec smol = new ToyModelSpec("smollm-135m-shape", 49152, 576, 30, 9, 3, 1536, 2048, TensorType.Q8_0, 42,
                ToyModelSpec.CHATML);
        ToyModelSpec tinyLlama = new ToyModelSpec("tinyllama-1.1b-shape", 32000, 2048, 22, 32, 4, 5632, 2048,
                TensorType.Q4_0, 42, ToyModelSpec.CHATML);
        return List.of(
                new Shape("smollm-135m-q8_0", smol, 128, 256, true),
                new Shape("smollm-135m-q4_0", smol.withWeightType(TensorType.Q4_0), 128, 256, false),
                new Shape("tinyllama-1.1b-q4_0", tinyLlama, 32, 128, false));
    }

    static List<Shape> smokeShapes() {
        return List.of(new Shape("tiny", ToyModelSpec.tiny().withName("tiny"), 24, 32, true));
    }

    static List<Shape> fullAndSmoke() {
        List<Shape> all = new ArrayList<>(fullShapes());
        all.addAll(smokeShapes());
        return all;
    }

    public static void main(String... args) throws Exception {
        Config config;
        try {
            config = Config.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path md = new Bench(config).run();
        System.out.println(Files.readString(md));
        System.out.println("written: " + md.toAbsolutePath().getParent());
        System.exit(0); // a loaded llama.cpp keeps non-daemon native threads
    }

    private final Config c;
    private Path hostLog; // the in-process baselines' stderr
    private final long t0 = System.nanoTime();
    private final Chart chart = new Chart();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<Map<String, Object>> shapeResults = new ArrayList<>();
    private final List<Map<String, Object>> timeline = new CopyOnWriteArrayList<>();

    Bench(Config config) {
        this.c = config;
    }

    double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %6.1fs] %s%n", now(), String.format(Locale.ROOT, format, args));
    }

    /** Runs everything; returns the markdown report's path. */
    Path run() throws Exception {
        Files.createDirectories(c.out);
        Files.createDirectories(c.store);
        Path work = Files.createDirectories(c.out.resolve("work"));
        Path serverLog = c.out.resolve("server.log");
        Files.deleteIfExists(serverLog);
        hostLog = c.out.resolve("baselines.log");
        Files.deleteIfExists(hostLog);
        Files.deleteIfExists(c.out.resolve("peer.log"));
        json.put("started", Instant.now().toString());
        json.put("mode", c.smoke ? "smoke" : "full");
        json.put("commit", commit());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("load_average_start", loadAverage());
        json.put("java", System.getProperty("java.vm.version"));
        json.put("threads", c.threads);
        json.put("num_ctx", c.ctx);
        json.put("num_batch", c.batch);
        json.put("repetitions", c.reps);
        List<String> warnings = new ArrayList<>();
        double load = Double.parseDouble(loadAverage());
        if (load > Runtime.getRuntime().availableProcessors()) {
            warnings.add("the machine was busy (load average %.1f on %d CPUs): figures taken under load%s".formatted(
                    load, Runtime.getRuntime().availableProcessors(), c.threads > 1
                            ? "; with more than one thread, llama.cpp's threads wait for each other at every graph "
                            + "node and busy machines slow both paths by up to 100x — try --threads 1" : ""));
        }
        warnings.forEach(w -> log("WARNING: %s", w));
        if (!warnings.isEmpty()) json.put("warnings", warnings);

        Map<Shape, Path> files = new LinkedHashMap<>();
        for (Shape s : c.shapes) files.put(s, install(s));
        Path library = NativeLibrary.extract(work.resolve("bare-lib"));

        Map<String, String> env = Map.of("OLLAMA_CONTEXT_LENGTH", Integer.toString(c.ctx),
                "OLLAMA_MAX_QUEUE", Integer.toString(c.queueCapacity), "OLLAMA_KEEP_ALIVE", "-1",
                "QUOKKA_LOG_LEVEL", "WARN");
        List<String> jvm = c.jfr == null ? List.of()
                : List.of("-XX:StartFlightRecording=filename=" + Path.of(c.jfr).toAbsolutePath()
                        + ",settings=profile,dumponexit=true");
        try (BenchServer server = BenchServer.start(c.jar, c.store, work, serverLog, env, jvm)) {
            StreamClient client = new StreamClient(server.base, server::cpuNanos);
            json.put("cold_start", coldStart(c.shapes.getFirst(), server, client));
            Thread sampler = startSampler(server);
            Thread.sleep(c.smoke ? 500 : 3000);
            json.put("rss_idle_no_model_mib", mib(server.serverRss()));
            for (Shape s : c.shapes) shapeResults.add(measure(s, files.get(s), library, server, client));
            json.put("queue", queueTest(c.shapes.getFirst(), client, server));
            sampler.interrupt();
        }
        json.put("shapes", shapeResults);
        json.put("load_average_end", loadAverage());
        json.put("finished", Instant.now().toString());
        json.put("timeline", timeline);

        Path jsonFile = c.out.resolve("results.json");
        JSON.writeValue(jsonFile.toFile(), json);
        chart.title = "Quokka benchmark (" + json.get("mode") + ", " + json.get("commit") + ", " + c.threads
                + " threads)";
        chart.write(c.out.resolve("results.png"));
        Path md = c.out.resolve("results.md");
        Files.writeString(md, Report.markdown(json));
        return md;
    }

    // ---- models

    private Path install(Shape s) throws IOException {
        ModelName name = ModelName.parse(s.model());
        Path marker = c.store.resolve(".bench-" + s.key + "-" + Integer.toHexString(s.spec.hashCode()));
        OllamaStore store = new OllamaStore(c.store);
        var existing = store.find(name);
        if (existing.isPresent() && Files.exists(marker)) return existing.get().modelBlob();
        long start = System.nanoTime();
        StoredModel stored = ToyInstaller.install(c.store, name, s.spec.withName(s.key));
        Files.writeString(marker, s.spec.toString());
        log("wrote %s (%d MiB) in %.1f s", s.model(), stored.size() >> 20, (System.nanoTime() - start) / 1e9);
        return stored.modelBlob();
    }

    String options(int numPredict) {
        return "{\"num_ctx\":%d,\"num_batch\":%d,\"num_thread\":%d,\"num_predict\":%d,\"temperature\":0,\"seed\":42}"
                .formatted(c.ctx, c.batch, c.threads, numPredict);
    }

    /** What the served path's options ask for, as an engine request: greedy, seed 42, the raw prompt. */
    static GenerationRequest greedyRequest(String prompt, int numPredict) {
        SamplingParams d = SamplingParams.defaults();
        SamplingParams greedy = new SamplingParams(0f, d.topK(), d.topP(), d.minP(), d.typicalP(), d.repeatPenalty(),
                d.repeatLastN(), d.presencePenalty(), d.frequencyPenalty(), 42);
        return new GenerationRequest(new int[0], prompt, greedy, numPredict, 4, List.of("<|im_start|>", "<|im_end|>"),
                null);
    }

    /** A prompt of about {@code tokens} tokens, made distinct by {@code tag} so no run reuses another's cache. */
    static String prompt(LoadedModel engine, String tag, int tokens) throws EngineException {
        StringBuilder text = new StringBuilder(tag).append(' ');
        while (tokenCount(engine, text.toString()) < tokens) text.append(SENTENCE);
        // trim words back to the size
        String[] words = text.toString().split(" ");
        int lo = 1, hi = words.length;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (tokenCount(engine, String.join(" ", Arrays.copyOf(words, mid))) >= tokens) hi = mid; else lo = mid + 1;
        }
        return String.join(" ", Arrays.copyOf(words, lo));
    }

    static int tokenCount(LoadedModel engine, String text) throws EngineException {
        return engine.tokenize(text, true).length;
    }

    // ---- one shape

    record Run(String path, double genRate, double runnerGenRate, double promptRate, double ttftMs, int evalCount,
               int promptCount, double serverCpuUsPerToken, double clientCpuUsPerToken) {
        Run(String path, double genRate, double runnerGenRate, double promptRate, double ttftMs, int evalCount,
            int promptCount) {
            this(path, genRate, runnerGenRate, promptRate, ttftMs, evalCount, promptCount, Double.NaN, Double.NaN);
        }
    }

    private Map<String, Object> measure(Shape s, Path file, Path library, BenchServer server, StreamClient client)
            throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("shape", s.key);
        ToyModelSpec spec = s.spec;
        r.put("spec", "%d layers, n_embd %d, %d/%d heads, n_ff %d, vocab %d, %s".formatted(spec.blockCount(),
                spec.embeddingLength(), spec.headCount(), spec.headCountKv(), spec.feedForwardLength(),
                spec.vocabSize(), spec.weightType()));
        r.put("file_mib", mib(Files.size(file)));
        r.put("load_average", loadAverage());
        phase(s.key);
        log("== %s", s.key);

        JsonNode show = client.call("/api/show", "{\"model\":\"" + s.model() + "\"}");
        JsonNode memory = show.path("memory");
        r.put("estimate_mib", mib(memory.path("total").asLong()));
        r.put("estimate_context_length", memory.path("context_length").asInt());

        long loadStart = System.nanoTime();
        JsonNode loaded = client.call("/api/generate", "{\"model\":\"" + s.model() + "\",\"options\":" + options(1) + "}");
        double loadMs = (System.nanoTime() - loadStart) / 1e6;
        if (loaded.has("error")) throw new IllegalStateException("load failed: " + loaded);
        r.put("load_ms_served", round(loadMs));
        Thread.sleep(500);
        r.put("rss_server_loaded_mib", mib(server.serverRss()));
        r.put("rss_runner_loaded_mib", mib(server.runnersRss()));
        log("served load %.0f ms, runner RSS %.1f MiB (estimate %.1f MiB)", loadMs, mib(server.runnersRss()),
                mib(memory.path("total").asLong()));

        // The runner process driven straight from this process (RunnerEngine, as the scheduler drives it): splits
        // the serving cost into the runner boundary's share and the HTTP path's. It also counts prompt tokens.
        long runnerStart = System.nanoTime();
        LoadedModel runner = new RunnerEngine(RunnerEngine.Settings.defaults(Files.createTempDirectory("quokka-bench")))
                .load(new LoadRequest(file, c.ctx, c.batch, c.threads, 1, true, false, KvCacheType.F16));
        r.put("load_ms_runner", round((System.nanoTime() - runnerStart) / 1e6));
        // The in-process baselines, each in a process of its own (see EngineHost).
        HostedBaseline bare = HostedBaseline.start("bare", file, c.ctx, c.batch, c.threads, library, hostLog);
        r.put("load_ms_bare", round(bare.loadMs));
        HostedBaseline wrapper = null;
        if (c.wrapper) {
            wrapper = HostedBaseline.start("wrapper", file, c.ctx, c.batch, c.threads, library, hostLog);
            r.put("load_ms_wrapper", round(wrapper.loadMs));
        }
        try {
            // Warm-up: JIT and caches on every path. A few full generations: the server's per-token code is still
            // being compiled after one short one (its compiler threads' CPU counted ~2x its steady per-token cost).
            for (int w = 0; w < (c.smoke ? 1 : 3); w++) {
                served(client, s, prompt(runner, "warm-s" + w, s.promptTokens), s.genTokens);
                hosted(bare, runner, prompt(runner, "warm-b" + w, s.promptTokens), s.genTokens);
                runner(runner, prompt(runner, "warm-r" + w, s.promptTokens), s.genTokens);
                if (wrapper != null) hosted(wrapper, runner, prompt(runner, "warm-w" + w, s.promptTokens), s.genTokens);
            }

            List<Run> servedRuns = new ArrayList<>(), bareRuns = new ArrayList<>(), wrapperRuns = new ArrayList<>(),
                    runnerRuns = new ArrayList<>();
            for (int rep = 0; rep < c.reps; rep++) {
                List<String> order = rep % 2 == 0 ? List.of("served", "bare", "runner", "wrapper")
                        : List.of("wrapper", "runner", "bare", "served");
                for (String path : order) {
                    String p = prompt(runner, "rep" + rep + path, s.promptTokens);
                    switch (path) {
                        case "served" -> servedRuns.add(served(client, s, p, s.genTokens));
                        case "bare" -> bareRuns.add(hosted(bare, runner, p, s.genTokens));
                        case "runner" -> runnerRuns.add(runner(runner, p, s.genTokens));
                        default -> {
                            if (wrapper != null) wrapperRuns.add(hosted(wrapper, runner, p, s.genTokens));
                        }
                    }
                }
                log("rep %d: served %.1f tok/s, bare %.1f tok/s, runner %.1f tok/s%s", rep,
                        servedRuns.getLast().genRate, bareRuns.getLast().genRate, runnerRuns.getLast().genRate,
                        wrapperRuns.isEmpty() ? "" : ", wrapper %.1f tok/s".formatted(wrapperRuns.getLast().genRate));
            }
            r.put("served", summary(servedRuns));
            r.put("bare", summary(bareRuns));
            r.put("runner", summary(runnerRuns));
            if (!wrapperRuns.isEmpty()) r.put("wrapper", summary(wrapperRuns));
            double servedGen = median(servedRuns, Run::genRate), bareGen = median(bareRuns, Run::genRate);
            r.put("ratio_served_bare_generation", round3(servedGen / bareGen));
            double runnerGen = median(runnerRuns, Run::genRate);
            r.put("ratio_runner_bare_generation", round3(runnerGen / bareGen));
            r.put("ratio_served_runner_generation", round3(servedGen / runnerGen));
            r.put("ratio_served_bare_prompt",
                    round3(median(servedRuns, Run::promptRate) / median(bareRuns, Run::promptRate)));
            r.put("per_token_overhead_us", round(1e6 / servedGen - 1e6 / bareGen));
            // Pairwise (each served run against the bare run next to it): robust to drifting machine load.
            List<Double> pairs = new ArrayList<>();
            for (int i = 0; i < Math.min(servedRuns.size(), bareRuns.size()); i++) {
                pairs.add(servedRuns.get(i).genRate / bareRuns.get(i).genRate);
            }
            r.put("ratio_pairwise_median", round3(median(pairs)));
            if (!wrapperRuns.isEmpty()) {
                r.put("ratio_served_wrapper_generation", round3(servedGen / median(wrapperRuns, Run::genRate)));
                List<Double> wrapperPairs = new ArrayList<>();
                for (int i = 0; i < Math.min(servedRuns.size(), wrapperRuns.size()); i++) {
                    wrapperPairs.add(servedRuns.get(i).genRate / wrapperRuns.get(i).genRate);
                }
                r.put("ratio_served_wrapper_pairwise", round3(median(wrapperPairs)));
            }
            if (c.peer != null) r.put("peer", peer(s, file, client, runner));
            if (s.ttft) r.put("ttft", ttft(s, client, bare, runner));
        } finally {
            bare.close();
            runner.close();
            if (wrapper != null) wrapper.close();
        }

        client.call("/api/generate", "{\"model\":\"" + s.model() + "\",\"keep_alive\":0}");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.runnerCount() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        Thread.sleep(1000);
        r.put("rss_server_after_unload_mib", mib(server.serverRss()));
        r.put("rss_runners_after_unload_mib", mib(server.runnersRss()));
        return r;
    }

    private Run served(StreamClient client, Shape s, String prompt, int n) throws Exception {
        StreamClient.Timed t = client.generate(s.model(), prompt, options(n));
        if (!t.complete()) throw new IllegalStateException("served generation failed: " + t);
        Run run = new Run("served", t.clientGenerationRate(), t.runnerGenerationRate(), t.runnerPromptRate(),
                t.firstTextNanos() / 1e6, t.evalCount(), t.promptEvalCount(), t.serverCpuPerTokenMicros(),
                t.clientCpuPerTokenMicros());
        point("served (/api/generate)", run.genRate);
        return run;
    }

    /** A run of an in-process baseline in its own process, timed there as the client times the served one. */
    private Run hosted(HostedBaseline host, LoadedModel counter, String prompt, int n) throws Exception {
        JsonNode a = host.generate(prompt, n, tokenCount(counter, prompt));
        String path = host.kind;
        Run run = new Run(path, a.path("gen_rate").asDouble(), a.path("engine_gen_rate").asDouble(Double.NaN),
                a.path("prompt_rate").asDouble(), a.path("ttft_ms").asDouble(), a.path("eval_count").asInt(),
                a.path("prompt_count").asInt());
        point(path.equals("bare") ? "bare (FFM in-process)" : "de.kherud LlamaModel", run.genRate);
        return run;
    }

    /** The runner process through RunnerEngine: the runner boundary (frames over pipes) without HTTP. */
    private Run runner(LoadedModel model, String prompt, int n) throws Exception {
        return timed("runner", "runner process (no HTTP)",
                piece -> model.generate(greedyRequest(prompt, n), piece::accept, new CancelToken()));
    }

    /** A generation driven in this process, timed at its piece callback as the client times the served one. */
    private Run timed(String path, String series, Generator generator) throws Exception {
        Run run = timedRun(path, generator);
        point(series, run.genRate);
        return run;
    }

    /** A generation timed at its piece callback: (tokens − 1) / (last piece − first piece), and the engine's counts. */
    static Run timedRun(String path, Generator generator) throws Exception {
        long[] first = {-1}, last = {-1};
        long start = System.nanoTime();
        GenerationResult result = generator.generate(piece -> {
            if (piece.isEmpty()) return;
            long t = System.nanoTime() - start;
            if (first[0] < 0) first[0] = t;
            last[0] = t;
        });
        int count = result.evalCount();
        double rate = count > 1 && last[0] > first[0] ? (count - 1) * 1e9 / (last[0] - first[0]) : Double.NaN;
        return new Run(path, rate, StreamClient.rate(count, result.evalNanos()),
                StreamClient.rate(result.promptEvalCount(), result.promptEvalNanos()), first[0] / 1e6, count,
                result.promptEvalCount());
    }

    @FunctionalInterface
    interface Generator {
        GenerationResult generate(java.util.function.Consumer<String> onPiece) throws Exception;
    }

    /** Prompt length of the peer comparison's runs (prompt-eval speed is taken from them). */
    static final int PEER_PROMPT_TOKENS = 220;

    /**
     * The served path against llama-server of the same release on the same file ({@code --peer}): alternating
     * (served, llama-server, served, ...), each run with a fresh ≈220-token prompt. Generation and prompt rates are
     * each side's own (the Ollama API's {@code eval_*} and {@code prompt_eval_*}; llama-server's {@code timings});
     * time to first token is the client's on both.
     */
    private Map<String, Object> peer(Shape s, Path file, StreamClient client, LoadedModel counter) throws Exception {
        phase(s.key + " peer");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("binary", c.peer.toAbsolutePath().toString());
        r.put("prompt_tokens", PEER_PROMPT_TOKENS);
        long loadStart = System.nanoTime();
        try (PeerServer peer = PeerServer.start(c.peer, file, c.ctx, c.batch, c.threads, c.out.resolve("peer.log"))) {
            r.put("load_ms", round((System.nanoTime() - loadStart) / 1e6));
            for (int w = 0; w < (c.smoke ? 1 : 2); w++) {
                peer.complete(prompt(counter, "warm-p" + w, PEER_PROMPT_TOKENS), s.genTokens);
            }
            List<Run> servedRuns = new ArrayList<>(), peerRuns = new ArrayList<>();
            for (int rep = 0; rep < c.reps; rep++) {
                servedRuns.add(served(client, s, prompt(counter, "peer-s" + rep, PEER_PROMPT_TOKENS), s.genTokens));
                Run p = peer.complete(prompt(counter, "peer-p" + rep, PEER_PROMPT_TOKENS), s.genTokens);
                point("llama-server (peer)", p.genRate());
                peerRuns.add(p);
                log("peer rep %d: served %.1f / llama-server %.1f tok/s (own timings), prompt %.1f / %.1f tok/s, "
                        + "TTFT %.1f / %.1f ms", rep, servedRuns.getLast().runnerGenRate(), p.runnerGenRate(),
                        servedRuns.getLast().promptRate(), p.promptRate(), servedRuns.getLast().ttftMs(), p.ttftMs());
            }
            r.put("served", summary(servedRuns));
            r.put("llama_server", summary(peerRuns));
            r.put("ratio_generation",
                    round3(median(servedRuns, Run::runnerGenRate) / median(peerRuns, Run::runnerGenRate)));
            List<Double> pairs = new ArrayList<>();
            for (int i = 0; i < servedRuns.size(); i++) {
                pairs.add(servedRuns.get(i).runnerGenRate() / peerRuns.get(i).runnerGenRate());
            }
            r.put("ratio_generation_pairwise", round3(median(pairs)));
            r.put("ratio_generation_client", round3(median(servedRuns, Run::genRate) / median(peerRuns, Run::genRate)));
            r.put("ratio_prompt", round3(median(servedRuns, Run::promptRate) / median(peerRuns, Run::promptRate)));
            r.put("ratio_ttft", round3(median(servedRuns, Run::ttftMs) / median(peerRuns, Run::ttftMs)));
        }
        return r;
    }

    /** Time to first token: short and long prompts, 1 and 4 clients at once (served); 1 client bare. */
    private Map<String, Object> ttft(Shape s, StreamClient client, HostedBaseline bare, LoadedModel runner)
            throws Exception {
        Map<String, Object> t = new LinkedHashMap<>();
        phase(s.key + " ttft");
        for (var len : List.of(Map.entry("short", 8), Map.entry("long", c.longPrompt))) {
            List<Double> served1 = new ArrayList<>(), bare1 = new ArrayList<>();
            for (int rep = 0; rep < Math.min(3, c.reps); rep++) {
                served1.add(client.generate(s.model(), prompt(runner, "ttft-s" + rep + len.getKey(), len.getValue()),
                        options(4)).firstTextNanos() / 1e6);
                bare1.add(hosted(bare, runner, prompt(runner, "ttft-b" + rep + len.getKey(), len.getValue()), 4).ttftMs);
            }
            t.put(len.getKey() + "_prompt_tokens", len.getValue());
            t.put(len.getKey() + "_served_1_client_ms", round(median(served1)));
            t.put(len.getKey() + "_bare_1_client_ms", round(median(bare1)));
            List<Double> four = concurrent(client, s, runner, len.getKey(), len.getValue(), 4);
            t.put(len.getKey() + "_served_4_clients_median_ms", round(median(four)));
            t.put(len.getKey() + "_served_4_clients_max_ms", round(four.stream().mapToDouble(d -> d).max().orElse(0)));
            log("ttft %s: served %.0f ms, bare %.0f ms, 4 clients median %.0f ms", len.getKey(), median(served1),
                    median(bare1), median(four));
        }
        return t;
    }

    private List<Double> concurrent(StreamClient client, Shape s, LoadedModel counter, String tag, int tokens,
                                    int clients) throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < clients; i++) prompts.add(prompt(counter, "conc" + i + tag, tokens));
        CountDownLatch go = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<StreamClient.Timed>> futures = new ArrayList<>();
            for (String p : prompts) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return client.generate(s.model(), p, options(4));
                }));
            }
            go.countDown();
            List<Double> ttfts = new ArrayList<>();
            for (var f : futures) ttfts.add(f.get().firstTextNanos() / 1e6);
            return ttfts;
        }
    }

    // ---- queue, cold start

    /** Twice the queue's capacity at once: every request is answered or refused with 503; none may be lost. */
    private Map<String, Object> queueTest(Shape s, StreamClient client, BenchServer server) throws Exception {
        phase("queue");
        int sent = 2 * c.queueCapacity;
        CountDownLatch go = new CountDownLatch(1);
        List<StreamClient.Timed> results = new ArrayList<>();
        int lost = 0;
        List<String> lostReasons = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<StreamClient.Timed>> futures = new ArrayList<>();
            for (int i = 0; i < sent; i++) {
                String p = "queue " + i + " " + SENTENCE;
                futures.add(pool.submit(() -> {
                    go.await();
                    return client.generate(s.model(), p, options(16));
                }));
            }
            go.countDown();
            for (var f : futures) {
                try {
                    results.add(f.get());
                } catch (Exception e) {
                    lost++;
                    lostReasons.add(String.valueOf(e.getCause()));
                }
            }
        }
        int answered = 0, busy = 0;
        for (StreamClient.Timed t : results) {
            if (t.complete() && t.evalCount() > 0) {
                answered++;
            } else if (t.status() == 503) {
                busy++;
            } else {
                lost++;
                lostReasons.add("status " + t.status() + ", error " + t.error());
            }
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("max_queue", c.queueCapacity);
        q.put("sent", sent);
        q.put("answered", answered);
        q.put("rejected_503", busy);
        q.put("lost", lost);
        if (!lostReasons.isEmpty()) q.put("lost_reasons", lostReasons);
        log("queue: %d sent, %d answered, %d 503, %d lost", sent, answered, busy, lost);
        client.call("/api/generate", "{\"model\":\"" + s.model() + "\",\"keep_alive\":0}");
        return q;
    }

    /**
     * Cold start: the server process's start → the first generated token of the first shape (its model file in the
     * page cache), the request sent as soon as the port accepts connections. The model is unloaded again, so the
     * idle figure that follows is "served once, no model".
     */
    private Map<String, Object> coldStart(Shape s, BenchServer server, StreamClient client) throws Exception {
        Map<String, Object> cold = new LinkedHashMap<>();
        double firstToken;
        while (true) {
            try {
                long sent = System.nanoTime();
                StreamClient.Timed t = client.generate(s.model(), "cold " + SENTENCE, options(2));
                if (!t.complete()) throw new IllegalStateException("cold start generation failed: " + t);
                firstToken = (sent + t.firstTextNanos() - server.startNanos) / 1e6;
                break;
            } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
                if (!server.process.isAlive()) throw new IllegalStateException("the server exited");
                Thread.sleep(5);
            }
        }
        client.call("/api/generate", "{\"model\":\"" + s.model() + "\",\"keep_alive\":0}");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.runnerCount() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        cold.put("shape", s.key);
        cold.put("start_to_first_token_ms", round(firstToken));
        log("cold start %s: %.0f ms", s.key, firstToken);
        return cold;
    }

    // ---- timeline

    private Thread startSampler(BenchServer server) {
        return Thread.ofPlatform().daemon(true).name("bench-rss").start(() -> {
            List<Chart.Point> srv = new ArrayList<>(), run = new ArrayList<>(), self = new ArrayList<>();
            chart.memory.put("server", srv);
            chart.memory.put("runners", run);
            chart.memory.put("benchmark process (harness, client)", self);
            while (!Thread.currentThread().isInterrupted()) {
                double t = now();
                double a = mib(server.serverRss()), b = mib(server.runnersRss()),
                        m = mib(BenchServer.rss(ProcessHandle.current().pid()));
                synchronized (chart) {
                    srv.add(new Chart.Point(t, a));
                    run.add(new Chart.Point(t, b));
                    self.add(new Chart.Point(t, m));
                }
                timeline.add(Map.of("t", round(t), "rss_server_mib", a, "rss_runners_mib", b, "rss_bench_mib", m));
                try {
                    Thread.sleep(c.smoke ? 100 : 500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void point(String series, double rate) {
        synchronized (chart) {
            chart.rates.computeIfAbsent(series, k -> new ArrayList<>()).add(new Chart.Point(now(), rate));
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("t", round(now()));
        p.put("series", series);
        p.put("tokens_per_s", round(rate)); // null when not measurable
        timeline.add(p);
    }

    private void phase(String name) {
        synchronized (chart) {
            chart.phases.add(Map.entry(now(), name));
        }
    }

    // ---- numbers

    static Map<String, Object> summary(List<Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generation_tps_median", round(median(runs, Run::genRate)));
        m.put("generation_tps_runs", runs.stream().map(r -> round(r.genRate)).toList());
        m.put("runner_generation_tps_median", round(median(runs, Run::runnerGenRate)));
        m.put("prompt_tps_median", round(median(runs, Run::promptRate)));
        m.put("ttft_ms_median", round(median(runs, Run::ttftMs)));
        if (!Double.isNaN(runs.getFirst().serverCpuUsPerToken)) {
            m.put("server_cpu_us_per_token_median", round(median(runs, Run::serverCpuUsPerToken)));
            m.put("client_cpu_us_per_token_median", round(median(runs, Run::clientCpuUsPerToken)));
        }
        m.put("eval_count", runs.getFirst().evalCount);
        m.put("prompt_eval_count", runs.getFirst().promptCount);
        return m;
    }

    static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        return median(runs.stream().map(f::applyAsDouble).toList());
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double mib(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
    }

    static Double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) return "unknown";
            Process dirty = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no", "src")
                    .redirectErrorStream(true).start();
            String changes = new String(dirty.getInputStream().readAllBytes()).trim();
            dirty.waitFor();
            return changes.isEmpty() ? out : out + "+changes";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
