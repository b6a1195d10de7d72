package io.quokka.runner;

/**
 * How many threads a one-token decode step gets, chosen by measuring. On an engine whose threads sleep at barriers
 * (OpenMP: b4916, or a build named by {@code QUOKKA_LLAMA_DIR}) always all of them. On ggml's own thread pool (the
 * prebuilt v0.5.0) the threads spin at the barrier after every graph node: on a quiet machine two threads generate
 * TinyLlama-1.1B 35% faster than one, but when another process takes a core the spinning thread burns its time slice
 * for every node of every token (120 tokens took 42-51 s instead of 1 s, docs/engine.md), and for a small model one
 * thread is faster even on a quiet machine. So the step runs where it has been faster lately: one thread at first,
 * and every so often a short probe of the other choice; a probe whose first step is far slower ends at once, a
 * choice that keeps losing is probed ever more rarely (up to every {@value #MAX_INTERVAL} steps), and a step far
 * slower than lately starts a probe at once.
 *
 * <p>Not thread-safe: the decode thread's alone.
 */
final class StepThreads {
    static final int FIRST_INTERVAL = 8;
    static final int MAX_INTERVAL = 4096;
    static final int PROBE_STEPS = 3;
    /** A probe step this many times slower than the current choice settles the question at once. */
    static final double DECISIVE = 3.0;
    private static final double ALPHA = 0.3;

    private final int all;
    /** The count every step uses, or 0 when measuring decides. */
    private final int fixedCount;
    /** Recent time per token, smoothed: [0] with one thread, [1] with all of them; NaN before measured. */
    private final double[] perToken = {Double.NaN, Double.NaN};
    private int home;     // the choice steps run with: 0 = one thread, 1 = all
    private int mode;     // the choice the next step runs with (differs from home during a probe)
    private int steps;    // steps at home since the last probe
    private int interval = FIRST_INTERVAL;
    private int probeLeft;

    /**
     * @param threads       the context's thread count (prompt batches use them all)
     * @param barriersSleep whether the engine's threads sleep at barriers (then every step uses them all)
     * @param override      {@code QUOKKA_STEP_THREADS}: a fixed count for every step, or null
     */
    StepThreads(int threads, boolean barriersSleep, String override) {
        this.all = Math.max(1, threads);
        this.fixedCount = fixed(all, barriersSleep, override);
    }

    /** 0 when measuring decides; else the count every step uses. */
    private static int fixed(int all, boolean barriersSleep, String override) {
        if (override != null && !override.isBlank()) {
            try {
                return Math.max(1, Math.min(all, Integer.parseInt(override.strip())));
            } catch (NumberFormatException e) {
                // measuring decides, as without it
            }
        }
        if (barriersSleep || all == 1) return all;
        return 0;
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
        // a step far slower than lately (another process took a core) asks the question again at once
        boolean sudden = !Double.isNaN(perToken[home]) && t > DECISIVE * perToken[home];
        perToken[home] = Double.isNaN(perToken[home]) ? t : perToken[home] + ALPHA * (t - perToken[home]);
        if (++steps >= interval || sudden) {
            mode = 1 - home;
            perToken[mode] = Double.NaN; // measured afresh: the machine may have changed since
            probeLeft = PROBE_STEPS;
        }
    }

    private void probe(double t) {
        int other = mode;
        boolean first = Double.isNaN(perToken[other]);
        perToken[other] = first ? t : perToken[other] + ALPHA * (t - perToken[other]);
        probeLeft--;
        boolean decisive = first && t > DECISIVE * perToken[home];
        if (!decisive && probeLeft > 0) return;
        if (!decisive && perToken[other] < perToken[home]) {
            home = other;
            interval = FIRST_INTERVAL;
        } else {
            interval = Math.min(interval * 2, MAX_INTERVAL);
        }
        mode = home;
        steps = 0;
    }
}
