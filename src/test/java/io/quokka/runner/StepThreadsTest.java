package io.quokka.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How many threads a one-token decode step gets ({@link StepThreads}), on synthetic step times. */
class StepThreadsTest {
    private static final long MS = 1_000_000L;
    private static final long SMALL = 145L << 20;  // SmolLM-135M Q8_0
    private static final long LARGE = 640L << 20;  // TinyLlama-1.1B Q4_0

    /** Runs {@code n} steps, each taking what {@code oneThread} or {@code allThreads} says; counts all-thread steps. */
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
        assertEquals(4, new StepThreads(4, true, SMALL, null).threads());
        assertEquals(2, new StepThreads(4, false, SMALL, "2").threads());
        assertEquals(4, new StepThreads(4, false, SMALL, "16").threads());
        assertEquals(1, new StepThreads(4, true, LARGE, "0").threads());
        assertEquals(1, new StepThreads(1, false, LARGE, null).threads());
        StepThreads fixed = new StepThreads(2, true, LARGE, null);
        run(fixed, 100, 1 * MS, 50 * MS); // no stall changes a fixed count
        assertEquals(2, fixed.threads());
    }

    @Test
    void aSmallModelStepsOnOneThreadALargeOneOnAllAndNeitherChangesOnAQuietMachine() {
        StepThreads small = new StepThreads(2, false, SMALL, "many"); // not a number: chosen as without it
        assertEquals(0, run(small, 10_000, 7 * MS, 8 * MS), "one thread throughout: the same sums every time");
        StepThreads large = new StepThreads(2, false, LARGE, null);
        assertEquals(10_000, run(large, 10_000, 30 * MS, 20 * MS), "all threads throughout");
        // noise below the stall threshold changes nothing
        StepThreads noisy = new StepThreads(2, false, LARGE, null);
        for (int i = 0; i < 1000; i++) noisy.took((i % 7 == 0 ? 50 : 20) * MS, 1);
        assertEquals(2, noisy.threads());
    }

    @Test
    void aStallDropsToOneThreadAtOnceAndAllAreTriedAgainEverMoreRarely() {
        StepThreads s = new StepThreads(2, false, LARGE, null);
        run(s, 100, 30 * MS, 20 * MS);
        s.took(250 * MS, 1); // another process took a core: the barrier spin
        assertEquals(1, s.threads());
        // still contended: probes after 1024, 2048, 4096, ... steps, each ended by its first step
        int withAll = run(s, 20_000, 30 * MS, 250 * MS);
        assertEquals(1, s.threads());
        assertTrue(withAll <= 5, "all-thread steps while contended: " + withAll);
        // quiet again: the next probe finds all threads faster, and they stay
        run(s, 20_000, 30 * MS, 20 * MS);
        assertEquals(2, s.threads());
        assertEquals(1000, run(s, 1000, 30 * MS, 20 * MS));
    }

    @Test
    void twoSequencesInAStepCountPerToken() {
        StepThreads s = new StepThreads(2, false, LARGE, null);
        s.took(20 * MS, 1);
        s.took(40 * MS, 2); // twice the tokens, the same time per token: no stall
        assertEquals(2, s.threads());
    }
}
