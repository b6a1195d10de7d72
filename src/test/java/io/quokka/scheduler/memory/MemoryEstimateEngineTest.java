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
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The estimate against the runner's real RSS on generated shapes: after load (weights, KV cache, runtime) and after
 * a prompt that fills the context with a full last batch (the compute buffers' high-water mark). Within 10%.
 */
class MemoryEstimateEngineTest {
    static final Path DIR = Path.of("target", "memory-test").toAbsolutePath();
    static final RunnerEngine ENGINE = new RunnerEngine(RunnerEngine.Settings.defaults(DIR.resolve("work"))
            .withLoadTimeout(Duration.ofMinutes(1)));

    static Stream<Arguments> shapes() {
        ToyModelSpec base = ToyModelSpec.tiny();
        return Stream.of(
                Arguments.of("tiny", base, 4096, 512),
                Arguments.of("v8k-e512-l4", base.withVocabSize(8000).withShape(512, 4, 8, 8, 1536), 2048, 512),
                Arguments.of("v50k-e256", base.withVocabSize(50000).withShape(256, 2, 4, 2, 1024), 1024, 256),
                Arguments.of("v8k-e512-ff4096", base.withVocabSize(8000).withShape(512, 2, 4, 4, 4096), 1024, 512));
    }

    /** Loads, then fills the context (minus a few tokens) and generates 4; returns {rss after load, rss after}. */
    static long[] measure(Path file, GgufFile gguf, int ctx, int batch) throws Exception {
        try (LoadedModel m = ENGINE.load(new LoadRequest(file, ctx, batch, 2, 1, true, false, KvCacheType.F16))) {
            long afterLoad = m.residentBytes();
            Random r = new Random(1);
            int[] tokens = new int[ctx - 8];
            for (int i = 0; i < tokens.length; i++) tokens[i] = 300 + r.nextInt((int) gguf.vocabSize() - 310);
            m.generate(new GenerationRequest(tokens, "", new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 0), 4, 4,
                    List.of(), null), piece -> {}, new CancelToken());
            return new long[] {afterLoad, m.residentBytes()};
        }
    }

    static Path model(String name, ToyModelSpec spec) throws Exception {
        Files.createDirectories(DIR);
        Path file = DIR.resolve(name + ".gguf");
        if (!Files.exists(file)) ToyModel.write(spec.withName(name), file);
        return file;
    }

    @ParameterizedTest(name = "{0} ctx {2} batch {3}")
    @MethodSource("shapes")
    void estimateIsWithinTenPercentOfTheRunnersResidentMemory(String name, ToyModelSpec spec, int ctx, int batch)
            throws Exception {
        Path file = model(name, spec);
        GgufFile gguf = GgufReader.read(file);
        MemoryEstimate e = MemoryEstimate.of(gguf, ctx, batch, KvCacheType.F16, false,
                MemoryEstimate.Calibration.forRelease(ENGINE.engineRelease()));
        long[] rss = measure(file, gguf, ctx, batch);
        long loaded = e.total() - e.compute();
        String report = "%s: estimate %s, measured after load %d (estimate %d), after filling the context %d (estimate %d)"
                .formatted(name, e, rss[0], loaded, rss[1], e.total());
        System.out.println(report);
        assertTrue(Math.abs(loaded - rss[0]) <= 0.10 * rss[0], report);
        assertTrue(Math.abs(e.total() - rss[1]) <= 0.10 * rss[1], report);
    }
}
