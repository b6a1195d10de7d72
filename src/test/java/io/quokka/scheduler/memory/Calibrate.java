package io.quokka.scheduler.memory;

import io.quokka.engine.*;
import io.quokka.gguf.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.logging.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

@EnabledIfEnvironmentVariable(named = "QUOKKA_CALIBRATE", matches = "1")
class Calibrate {
    static final boolean FA = "1".equals(System.getenv("QUOKKA_CALIBRATE_FA"));
    record Case(String name, ToyModelSpec spec, int ctx, int batch) {}

    @Test
    void run() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.quokka.engine.RunnerClient");
        jul.setLevel(Level.FINE);
        jul.addHandler(new Handler() {
            public void publish(LogRecord r) { String m = r.getMessage(); if (r.getParameters()!=null) m = String.format(m, r.getParameters()); lines.add(m); }
            public void flush() {}
            public void close() {}
        });
        Path dir = Path.of("target", "calibrate").toAbsolutePath();
        Files.createDirectories(dir);
        RunnerEngine engine = new RunnerEngine(RunnerEngine.Settings.defaults(dir.resolve("work")).withLoadTimeout(Duration.ofMinutes(2)));
        ToyModelSpec base = ToyModelSpec.tiny();
        List<Case> cases = List.of(
                new Case("tiny", base, 512, 512),
                new Case("tiny-c4096", base, 4096, 512),
                new Case("v8k-e512", base.withVocabSize(8000).withShape(512, 4, 8, 8, 1536).withContextLength(8192), 2048, 512),
                new Case("v32k-e768", ToyModelSpec.about100MB(), 2048, 512),
                new Case("v32k-e768-b128", ToyModelSpec.about100MB(), 2048, 128),
                new Case("v50k-e256", base.withVocabSize(50000).withShape(256, 2, 4, 2, 1024), 1024, 256),
                new Case("v16k-e1024-b1024", base.withVocabSize(16000).withShape(1024, 4, 16, 4, 2816).withContextLength(4096), 2048, 1024),
                new Case("v4k-e512-c4096", base.withVocabSize(4000).withShape(512, 8, 8, 8, 1024).withContextLength(8192), 4096, 256),
                new Case("v8k-e512-ff4096", base.withVocabSize(8000).withShape(512, 2, 4, 4, 4096), 1024, 512));
        for (Case c : cases) {
            Path file = dir.resolve(c.name().replaceAll("-b\\d+$", "") + ".gguf");
            if (!Files.exists(file)) ToyModel.write(c.spec(), file);
            GgufFile g = GgufReader.read(file);
            lines.clear();
            long t0 = System.nanoTime();
            try (LoadedModel m = engine.load(new LoadRequest(file, c.ctx(), c.batch(), 2, 1, true, FA, FA ? KvCacheType.Q8_0 : KvCacheType.F16))) {
                long loadMs = (System.nanoTime() - t0) / 1_000_000;
                long afterLoad = m.residentBytes();
                Random r = new Random(1);
                int[] ctxTokens = new int[c.ctx() - 8];
                for (int i = 0; i < ctxTokens.length; i++) ctxTokens[i] = 300 + r.nextInt((int) g.vocabSize() - 310);
                String prompt = "";
                long t1 = System.nanoTime();
                var res = m.generate(new GenerationRequest(ctxTokens, prompt, new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 0), 4, 4, List.of(), null), x -> {}, new CancelToken());
                long genMs = (System.nanoTime() - t1) / 1_000_000;
                long afterGen = m.residentBytes();
                System.out.printf("CAL %s vocab=%d embd=%d layers=%d heads=%d/%d ff=%d ctx=%d batch=%d weights=%d promptTok=%d load=%dms gen=%dms rssLoad=%d rssGen=%d%n",
                        c.name(), g.vocabSize(), g.embeddingLength(), g.blockCount(), g.headCount(), g.headCountKv(), g.feedForwardLength(),
                        c.ctx(), c.batch(), g.weightsBytes(), res.promptEvalCount(), loadMs, genMs, afterLoad, afterGen);
                synchronized (lines) { for (String l : lines) if (l.contains("buffer size") || l.contains("KV self size") || l.contains("graph")) System.out.println("CAL   " + l); }
            }
        }
    }
}
