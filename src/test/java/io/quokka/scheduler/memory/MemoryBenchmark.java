package io.quokka.scheduler.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.CancelToken;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.SamplingParams;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.runner.client.RunnerEngine;
import io.quokka.toy.ToyModelSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The memory benchmark (not a timed test; off unless {@code QUOKKA_BENCHMARK=1}):
 * <pre>QUOKKA_BENCHMARK=1 $MVN -B -q test -Dtest=MemoryBenchmark</pre>
 * For generated shapes: load time (spawn to ready), resident memory summed over this JVM (the side of the runner
 * boundary the server runs) and its runners before the load, after it, after a prompt that fills the context, and
 * after the unload (which must come back to within 10% of before); the estimate against the runner's RSS. Prints a
 * Markdown table (the one in {@code docs/memory.md}).
 */
@EnabledIfEnvironmentVariable(named = "QUOKKA_BENCHMARK", matches = "1")
class MemoryBenchmark {
    record Shape(String name, ToyModelSpec spec, int ctx, int batch) {}

    static final double MB = 1024 * 1024;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void run() throws Exception {
        RunnerEngine engine = new RunnerEngine(RunnerEngine.Settings.defaults(MemoryEstimateEngineTest.DIR.resolve("work"))
                .withLoadTimeout(Duration.ofMinutes(2)));
        ToyModelSpec tiny = ToyModelSpec.tiny();
        List<Shape> shapes = List.of(
                new Shape("tiny", tiny, 2048, 512),
                new Shape("v8k-e512-l4", tiny.withVocabSize(8000).withShape(512, 4, 8, 8, 1536), 2048, 512),
                new Shape("v50k-e256", tiny.withVocabSize(50000).withShape(256, 2, 4, 2, 1024), 1024, 256),
                new Shape("100m", ToyModelSpec.about100MB(), 2048, 512),
                new Shape("v16k-e1024-b1024", tiny.withVocabSize(16000).withShape(1024, 4, 16, 4, 2816)
                        .withContextLength(4096), 2048, 1024));
        List<String> rows = new ArrayList<>();
        rows.add("| shape | n_ctx / n_batch | load (spawn→ready) | first token after load | tree before | tree loaded "
                + "| tree after prompt | tree after unload | runner RSS loaded / full | estimate loaded / full | error |");
        rows.add("|---|---|---|---|---|---|---|---|---|---|---|");
        boolean returned = true;
        for (Shape s : shapes) MemoryEstimateEngineTest.model(s.name(), s.spec()); // written before measuring anything
        // runner start-up: spawn to ready on the tiny model (the model's part is a few ms), after one warm-up
        long[] startup = new long[4];
        for (int i = 0; i < startup.length; i++) {
            long t = System.nanoTime();
            engine.load(new LoadRequest(MemoryEstimateEngineTest.model("tiny", tiny), 512, 512, 2, 1, true, false,
                    KvCacheType.F16)).close();
            startup[i] = (System.nanoTime() - t) / 1_000_000;
        }
        java.util.Arrays.sort(startup, 1, startup.length);
        System.out.println("BENCH runner start-up (tiny model, spawn to ready, close included): median "
                + startup[2] + " ms of " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(startup, 1, 4)));
        for (Shape s : shapes) {
            var file = MemoryEstimateEngineTest.model(s.name(), s.spec());
            GgufFile gguf = GgufReader.read(file);
            MemoryEstimate e = MemoryEstimate.of(gguf, s.ctx(), s.batch(), KvCacheType.F16, false,
                    MemoryEstimate.Calibration.forRelease(engine.engineRelease()));
            System.gc();
            long before = MemoryBudget.processTreeResident();
            long t0 = System.nanoTime();
            LoadedModel m = engine.load(new LoadRequest(file, s.ctx(), s.batch(), 2, 1, true, false, KvCacheType.F16));
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            long loaded = MemoryBudget.processTreeResident();
            long runnerLoaded = m.residentBytes();
            long t1 = System.nanoTime();
            m.generate(new GenerationRequest(null, "Hi", new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 0), 1, 4,
                    List.of(), null), x -> {}, new CancelToken());
            long firstMs = (System.nanoTime() - t1) / 1_000_000;
            Random r = new Random(1);
            int[] tokens = new int[s.ctx() - 8];
            for (int i = 0; i < tokens.length; i++) tokens[i] = 300 + r.nextInt((int) gguf.vocabSize() - 310);
            m.generate(new GenerationRequest(tokens, "", new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 0), 4, 4,
                    List.of(), null), x -> {}, new CancelToken());
            long full = MemoryBudget.processTreeResident();
            long runnerFull = m.residentBytes();
            long pid = m.pid();
            m.close();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            System.gc();
            long after = MemoryBudget.processTreeResident();
            returned &= after <= 1.10 * before; // a leak would show as growth; the JVM may also shrink
            long estLoaded = e.total() - e.compute();
            double err = Math.max(Math.abs(estLoaded - runnerLoaded) / (double) runnerLoaded,
                    Math.abs(e.total() - runnerFull) / (double) runnerFull);
            rows.add("| %s | %d / %d | %d ms | %d ms | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.1f / %.1f MiB | %.1f / %.1f MiB | %.1f%% |"
                    .formatted(s.name(), s.ctx(), s.batch(), loadMs, firstMs, before / MB, loaded / MB, full / MB,
                            after / MB, runnerLoaded / MB, runnerFull / MB, estLoaded / MB, e.total() / MB, 100 * err));
        }
        rows.forEach(row -> System.out.println("BENCH " + row));
        assertTrue(returned, "memory came back within 10% after every unload");
    }

    /**
     * Two models resident at once through the scheduler ({@code OLLAMA_MAX_LOADED_MODELS=2}): the tree before, with
     * both loaded, with both contexts filled, after both unload; the runners' summed RSS against the summed estimates.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void twoResident() throws Exception {
        RunnerEngine engine = new RunnerEngine(RunnerEngine.Settings.defaults(MemoryEstimateEngineTest.DIR.resolve("work"))
                .withLoadTimeout(Duration.ofMinutes(2)));
        ToyModelSpec tiny = ToyModelSpec.tiny();
        List<Shape> shapes = List.of(new Shape("tiny", tiny, 2048, 512),
                new Shape("v8k-e512-l4", tiny.withVocabSize(8000).withShape(512, 4, 8, 8, 1536), 2048, 512));
        for (Shape s : shapes) MemoryEstimateEngineTest.model(s.name(), s.spec());
        // warm-up: the first runner start in this JVM loads classes that would count against the "before" figure
        engine.load(new LoadRequest(MemoryEstimateEngineTest.model("tiny", tiny), 512, 512, 2, 1, true, false,
                KvCacheType.F16)).close();
        var scheduler = new io.quokka.scheduler.Scheduler(engine, 8, 2, io.quokka.scheduler.LoadPlanner.NONE);
        System.gc();
        long before = MemoryBudget.processTreeResident();
        long estLoaded = 0, estFull = 0, loadMs = 0;
        List<io.quokka.scheduler.Lease> leases = new ArrayList<>();
        List<GgufFile> ggufs = new ArrayList<>();
        for (Shape s : shapes) {
            var file = MemoryEstimateEngineTest.model(s.name(), s.spec());
            GgufFile gguf = GgufReader.read(file);
            ggufs.add(gguf);
            MemoryEstimate e = MemoryEstimate.of(gguf, s.ctx(), s.batch(), KvCacheType.F16, false,
                    MemoryEstimate.Calibration.forRelease(engine.engineRelease()));
            estLoaded += e.total() - e.compute();
            estFull += e.total();
            var spec = new io.quokka.scheduler.ModelSpec(s.name(), "-", new LoadRequest(file, s.ctx(), s.batch(), 2, 1,
                    true, false, KvCacheType.F16), null);
            long t0 = System.nanoTime();
            leases.add(scheduler.acquire(spec, io.quokka.scheduler.KeepAlive.FOREVER, new CancelToken()));
            loadMs += (System.nanoTime() - t0) / 1_000_000;
        }
        long loaded = MemoryBudget.processTreeResident();
        long runnersLoaded = leases.stream().mapToLong(l -> l.model().residentBytes()).sum();
        for (int k = 0; k < shapes.size(); k++) {
            Random r = new Random(1);
            int[] tokens = new int[shapes.get(k).ctx() - 8];
            for (int i = 0; i < tokens.length; i++) tokens[i] = 300 + r.nextInt((int) ggufs.get(k).vocabSize() - 310);
            leases.get(k).model().generate(new GenerationRequest(tokens, "", new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f,
                    64, 0f, 0f, 0), 4, 4, List.of(), null), x -> {}, new CancelToken());
        }
        long full = MemoryBudget.processTreeResident();
        long runnersFull = leases.stream().mapToLong(l -> l.model().residentBytes()).sum();
        int resident = scheduler.resident().size();
        List<Long> pids = leases.stream().map(l -> l.model().pid()).toList();
        leases.forEach(io.quokka.scheduler.Lease::close);
        scheduler.close();
        for (long pid : pids) ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        System.gc();
        long after = MemoryBudget.processTreeResident();
        System.out.println(("BENCH two resident (tiny + v8k-e512-l4, 2048 / 512 each): %d resident, loads %d ms; tree "
                + "before %.0f MiB, both loaded %.0f MiB, both full %.0f MiB, after unload %.0f MiB; runners' RSS loaded / "
                + "full %.1f / %.1f MiB, estimates %.1f / %.1f MiB (%.1f%% / %.1f%%)").formatted(resident, loadMs,
                before / MB, loaded / MB, full / MB, after / MB, runnersLoaded / MB, runnersFull / MB, estLoaded / MB,
                estFull / MB, 100.0 * (estLoaded - runnersLoaded) / runnersLoaded, 100.0 * (estFull - runnersFull) / runnersFull));
        assertTrue(resident == 2, "both resident");
        assertTrue(after <= 1.10 * before, "memory came back within 10% after both unloaded");
    }
}
