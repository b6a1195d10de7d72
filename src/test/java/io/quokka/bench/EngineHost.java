package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.runner.InProcessEngine;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A process of its own that hosts ONE in-process baseline for the benchmark: the bare engine ({@code bare}: the
 * runner's engine code, llama.cpp through FFM) or {@code de.kherud:llama}'s Java API ({@code wrapper}). Each baseline
 * gets a process to itself because two llama.cpp models loaded in one process slowed each other to about half speed
 * here (both in-process paths ~52 tok/s against ~100 for the out-of-process ones, in the same run), which made the
 * served path look faster than the engine it wraps.
 *
 * <p>Protocol: one JSON command per line on stdin ({@code {"prompt":..., "n":..., "prompt_tokens":...}}), one answer
 * per line on stdout prefixed with {@code @@ } (native code may print other lines to stdout; they are ignored). Every
 * figure is timed here, in the process that generates, as the served path is timed by its client.
 */
public final class EngineHost {
    static final String PREFIX = "@@ ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineHost() {}

    /** {@code EngineHost bare|wrapper MODEL CTX BATCH THREADS LIBRARY}. */
    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // our own prints never reach the protocol
        String kind = args[0];
        Path model = Path.of(args[1]);
        int ctx = Integer.parseInt(args[2]), batch = Integer.parseInt(args[3]), threads = Integer.parseInt(args[4]);
        Path library = Path.of(args[5]);
        long start = System.nanoTime();
        Baseline baseline = switch (kind) {
            case "bare" -> new Bare(InProcessEngine.load(new LoadRequest(model, ctx, batch, threads, 1, true, false,
                    KvCacheType.F16), library));
            case "wrapper" -> {
                System.setProperty("de.kherud.llama.lib.path", library.getParent().toString());
                yield new Wrapper(new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(ctx)
                        .setBatchSize(batch).setUbatchSize(batch).setThreads(threads).setThreadsBatch(threads)
                        .setParallel(1).disableLog()));
            }
            default -> throw new IllegalArgumentException("unknown baseline " + kind);
        };
        protocol.println(PREFIX + JSON.writeValueAsString(Map.of("ready", true, "load_ms",
                (System.nanoTime() - start) / 1e6)));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode command = JSON.readTree(line);
            Map<String, Object> answer;
            try {
                answer = baseline.generate(command.path("prompt").asText(), command.path("n").asInt(),
                        command.path("prompt_tokens").asInt());
            } catch (Exception e) {
                answer = Map.of("error", String.valueOf(e));
            }
            protocol.println(PREFIX + JSON.writeValueAsString(answer));
        }
        System.exit(0);
    }

    private interface Baseline {
        Map<String, Object> generate(String prompt, int n, int promptTokens) throws Exception;
    }

    /** The runner's engine code in this process, timed at its piece callback. */
    private record Bare(InProcessEngine engine) implements Baseline {
        @Override
        public Map<String, Object> generate(String prompt, int n, int promptTokens) throws Exception {
            Bench.Run run = Bench.timedRun("bare", piece -> engine.generate(Bench.greedyRequest(prompt, n), piece));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("gen_rate", run.genRate());
            r.put("engine_gen_rate", run.runnerGenRate());
            r.put("prompt_rate", run.promptRate());
            r.put("ttft_ms", run.ttftMs());
            r.put("eval_count", run.evalCount());
            r.put("prompt_count", run.promptCount());
            return r;
        }
    }

    /**
     * de.kherud's Java API, timed at its output iterator. With {@code ignore_eos} and {@code n_predict} it generates
     * exactly n tokens and streams one chunk per token (a chunk may hold back a piece that could start a stop string
     * or ends inside a UTF-8 character), so the generation rate is (n − 1) / (last text chunk − first text chunk), as
     * for the other paths. The earlier estimate by difference (a 1-token run on a prompt of the same length, then the
     * n-token run) is reported too: it carries two prompt evaluations' noise.
     */
    private record Wrapper(LlamaModel model) implements Baseline {
        @Override
        public Map<String, Object> generate(String prompt, int n, int promptTokens) {
            double[] one = run("x" + prompt, 1); // same length, no shared prefix
            double[] t = run(prompt, n);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("gen_rate", t[3] > 1 && t[1] > t[0] ? (n - 1) / (t[1] - t[0]) : Double.NaN);
            r.put("gen_rate_by_difference", t[2] > one[2] ? (n - 1) / (t[2] - one[2]) : Double.NaN);
            r.put("text_chunks", (int) t[3]);
            r.put("prompt_rate", promptTokens / t[0]);
            r.put("ttft_ms", t[0] * 1e3);
            r.put("eval_count", n);
            r.put("prompt_count", promptTokens);
            return r;
        }

        /** Seconds to the first and the last text chunk and to the end, and the number of text chunks. */
        private double[] run(String prompt, int n) {
            InferenceParameters p = new InferenceParameters(prompt).setNPredict(n).setTemperature(0f).setSeed(42)
                    .setIgnoreEos(true).setCachePrompt(false);
            long start = System.nanoTime(), first = -1, last = -1;
            int chunks = 0;
            for (LlamaOutput out : model.generate(p)) {
                if (out.text.isEmpty()) continue;
                long now = System.nanoTime() - start;
                if (first < 0) first = now;
                last = now;
                chunks++;
            }
            long end = System.nanoTime() - start;
            return new double[] {(first < 0 ? end : first) / 1e9, (last < 0 ? end : last) / 1e9, end / 1e9, chunks};
        }
    }
}
