package io.quokka.runner;

/**
 * How many threads a one-token decode step gets. On an engine whose threads sleep at barriers (OpenMP: b4916, or a
 * build named by {@code QUOKKA_LLAMA_DIR}) always all of them. On ggml's own thread pool (the prebuilt v0.5.0) the
 * threads spin at the barrier after every graph node, which pays only when a node has enough work:
 *
 * <ul>
 *   <li>a model of at least {@value #ALL_THREADS_FROM_MIB} MiB steps with all threads (measured on a quiet 2-core
 *       machine: TinyLlama-1.1B Q4_0, 640 MB, 42.2 tok/s with two threads against 31.8 with one); a smaller one
 *       with one (SmolLM-135M Q8_0: 128.8 with one against 103.3 with two);</li>
 *   <li>when another process takes a core, a spinning thread burns its time slice at every node of every token
 *       (120 tokens took 42-51 s instead of 1 s, docs/engine.md): a step {@value #DECISIVE}× slower than lately
 *       drops to one thread at once; all threads are tried again for {@value #PROBE_STEPS} steps after 1,024 steps,
 *       then ever more rarely (up to every {@value #MAX_INTERVAL}) while they keep losing.</li>
 * </ul>
 *
 * The choice changes only in that second case, so on a quiet machine a model's tokens are computed with one thread
 * count from its first step to its last, and a seeded request gives the same tokens every time (a different thread
 * count changes the last bits of llama.cpp's sums, and with them, sometimes, a sampled token).
 *
 * <p>Not thread-safe: the decode thread's alone.
 */
final class StepThreads {
    static final long ALL_THREADS_FROM_MIB = 256;
    static final int RETRY_INTERVAL = 1024;
    static final int MAX_INTERVAL = 16_384;
    static final int PROBE_STEPS = 3;
    static final double DECISIVE = 3.0;
    private static final double ALPHA = 0.3;

    private final int all;
    /** The count every step uses, or 0 when it is chosen as above. */
    private final int fixedCount;
    /** Recent time per token, smoothed: [0] with one thread, [1] with all of them; NaN before measured. */
    private final double[] perToken = {Double.NaN, Double.NaN};
    private int home;     // the choice steps run with: 0 = one thread, 1 = all
    private int mode;     // the choice the next step runs with (all threads during a probe)
    private int steps;    // steps on one thread since contention was met or the last probe
    private int interval = RETRY_INTERVAL;
    private int probeLeft;
    private boolean contended; // one thread because all of them stalled: all are tried again later

    /**
     * @param threads       the context's thread count (prompt batches use them all)
     * @param barriersSleep whether the engine's threads sleep at barriers (then every step uses them all)
     * @param modelBytes    the model file's size
     * @param override      {@code QUOKKA_STEP_THREADS}: a fixed count for every step, or null
     */
    StepThreads(int threads, boolean barriersSleep, long modelBytes, String override) {
        this.all = Math.max(1, threads);
        this.fixedCount = fixed(all, barriersSleep, override);
        this.home = this.mode = modelBytes >= (ALL_THREADS_FROM_MIB << 20) ? 1 : 0;
    }

    /** 0 when chosen by size and stalls; else the count every step uses. */
    private static int fixed(int all, boolean barriersSleep, String override) {
        if (override != null && !override.isBlank()) {
            try {
                return Math.max(1, Math.min(all, Integer.parseInt(override.strip())));
            } catch (NumberFormatException e) {
                // chosen as without it
            }
        }
        return barriersSleep || all == 1 ? all : 0;
    }

    /** The threads the next one-token step runs with. */
    int threads() {
        if (fixedCount > 0) return fixedCount;
        return mode == 0 ? 1 : all;
    }

    /** How long the step just run took, for {@code tokens} tokens (one per generating sequence). */
    void took(long nanos, int tokens) {
        if (fixedCount > 0 || tokens < 1) return;
        double t = (double) nanos / tokens;
        if (mode != home) {
            probe(t);
            return;
        }
        boolean stalled = home == 1 && !Double.isNaN(perToken[1]) && t > DECISIVE * perToken[1];
        perToken[home] = Double.isNaN(perToken[home]) ? t : perToken[home] + ALPHA * (t - perToken[home]);
        if (stalled) {
            home = mode = 0;
            contended = true;
            perToken[0] = Double.NaN;
            steps = 0;
            interval = RETRY_INTERVAL;
        } else if (contended && ++steps >= interval) {
            mode = 1;
            perToken[1] = Double.NaN; // measured afresh: the machine may have changed since
            probeLeft = PROBE_STEPS;
        }
    }

    /** A step of a probe of all threads after contention. */
    private void probe(double t) {
        boolean first = Double.isNaN(perToken[1]);
        perToken[1] = first ? t : perToken[1] + ALPHA * (t - perToken[1]);
        probeLeft--;
        boolean decisive = first && t > DECISIVE * perToken[0];
        if (!decisive && probeLeft > 0) return;
        if (!decisive && perToken[1] < perToken[0]) {
            home = 1;
            contended = false;
        } else {
            interval = Math.min(interval * 2, MAX_INTERVAL);
        }
        mode = home;
        steps = 0;
    }
}
