package io.quokka.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each callback runs exactly once, however cancel() and onCancel() interleave. */
class CancelTokenTest {

    @Test
    void aCallbackAddedBeforeCancelRunsOnce() {
        CancelToken token = new CancelToken();
        AtomicInteger runs = new AtomicInteger();
        token.onCancel(runs::incrementAndGet);
        token.cancel();
        token.cancel();
        assertEquals(1, runs.get());
    }

    @Test
    void aCallbackAddedAfterCancelRunsAtOnceAndOnce() {
        CancelToken token = new CancelToken();
        token.cancel();
        AtomicInteger runs = new AtomicInteger();
        token.onCancel(runs::incrementAndGet);
        token.cancel();
        assertEquals(1, runs.get());
    }

    @Test
    void cancelRacingOnCancelRunsEachCallbackOnce() throws Exception {
        // Per round, one thread registers a run of callbacks while the other cancels somewhere in the middle of it,
        // so the cancel lands next to some registration in every round.
        int rounds = 50_000;
        int perRound = 32;
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier end = new CyclicBarrier(2);
        CancelToken[] token = new CancelToken[1];
        Thread canceller = Thread.ofPlatform().name("canceller").start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    start.await();
                    spin(i % 256);
                    token[0].cancel();
                    end.await();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int twice = 0;
        int never = 0;
        AtomicInteger[] runs = new AtomicInteger[perRound];
        for (int i = 0; i < rounds; i++) {
            token[0] = new CancelToken();
            for (int j = 0; j < perRound; j++) runs[j] = new AtomicInteger();
            start.await(); // both threads see this round's token after the barrier
            for (AtomicInteger count : runs) token[0].onCancel(count::incrementAndGet);
            end.await();
            for (AtomicInteger count : runs) {
                if (count.get() > 1) twice++;
                if (count.get() == 0) never++;
            }
        }
        canceller.join();
        assertEquals(0, twice, "callbacks that ran twice in " + rounds * perRound);
        assertEquals(0, never, "callbacks that never ran in " + rounds * perRound);
    }

    private static void spin(int n) {
        for (int i = 0; i < n; i++) Thread.onSpinWait();
    }
}
