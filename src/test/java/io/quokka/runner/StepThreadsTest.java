package io.quokka.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many threads a one-token decode step gets ({@link StepThreads}), on synthetic step times. */
class StepThreadsTest {
    private static final long MS = 1_000_000L;

    /** Runs {@code n} steps, each taking what {@code oneThread} or {@code allThreads} says for the choice made. */
    private static int run(StepThreads s, int n, long oneThread, long allThreads) {
        int withAll = 0;
        for (int i = 0; i < n; i++) {
            boolean all = s.threads() > 1;
            if (all) withAll++;
            s.took(all ? allThreads : oneThread, 1);
        }
        return withAll;
    }

    @Test
    void allThreadsWhenBarriersSleepAndTheOverrideWhenGiven() {
        assertEquals(4, new StepThreads(4, true, null).threads());
        assertEquals(2, new StepThreads(4, false, "2").threads());
        assertEquals(4, new StepThreads(4, false, "16").threads());
        assertEquals(1, new StepThreads(4, true, "0").threads());
        assertEquals(1, new StepThreads(1, false, null).threads());
        StepThreads fixed = new StepThreads(2, true, null);
        run(fixed, 100, 1 * MS, 50 * MS); // measuring does not decide then
        assertEquals(2, fixed.threads());
    }

    @Test
    void aQuietMachineWhereTwoThreadsAreFasterMovesToThem() {
        StepThreads s = new StepThreads(2, false, "many"); // not a number: measuring decides
        assertEquals(1, s.threads(), "one thread first: safe when the cores are shared");
        run(s, StepThreads.FIRST_INTERVAL + StepThreads.PROBE_STEPS, 30 * MS, 20 * MS);
        assertEquals(2, s.threads());
        int withAll = run(s, 1000, 30 * MS, 20 * MS);
        assertEquals(true, withAll > 950, "all threads nearly always: " + withAll);
    }

    @Test
    void contentionEndsAProbeAtOnceAndProbesEverMoreRarely() {
        StepThreads s = new StepThreads(2, false, null);
        // the barrier spin: a two-thread step 50 times slower than a one-thread step
        int withAll = run(s, 10_000, 5 * MS, 250 * MS);
        assertEquals(1, s.threads());
        // probes after 8, 16, 32, ... 4096 steps, one step each: 10 of 10,000
        assertEquals(true, withAll <= 12, "two-thread steps: " + withAll);
    }

    @Test
    void whenTheMachineQuietensTheFasterChoiceWins() {
        StepThreads s = new StepThreads(2, false, null);
        run(s, 300, 5 * MS, 250 * MS); // contended: stays on one thread, probes backed off
        run(s, 2_000, 30 * MS, 20 * MS); // quiet, on a model where two threads are faster
        assertEquals(2, s.threads());
        run(s, 5_000, 5 * MS, 250 * MS); // contended again: back to one thread at the next probe
        assertEquals(1, s.threads());
    }

    @Test
    void aSmallModelStaysOnOneThreadWhenThatIsFaster() {
        StepThreads s = new StepThreads(2, false, null);
        int withAll = run(s, 1000, 7 * MS, 8 * MS);
        assertEquals(1, s.threads());
        assertEquals(true, withAll < 40, "two-thread steps: " + withAll);
    }
}
