package io.quokka.scheduler;

import static io.quokka.scheduler.SchedulerTest.keep;
import static io.quokka.scheduler.SchedulerTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.CancelToken;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A runner whose close hangs (a stuck process) holds up nobody but the request that has to wait for its memory. */
class SchedulerStuckCloseTest {
    /** Far below the stuck close, far above what a free lock takes on a busy 2-core machine. */
    private static final long PROMPT_MILLIS = 2_000;

    final FakeEngine engine = new FakeEngine();
    final Scheduler scheduler = new Scheduler(engine, 64, 2, LoadPlanner.NONE);

    @AfterEach
    void close() {
        engine.unstick.countDown();
        scheduler.close();
    }

    private static <T> Future<T> async(Callable<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, SchedulerTest.THREADS);
    }

    @Test
    void expiringAStuckRunnerHoldsUpNeitherTheOtherResidentModelNorStatsNorPs() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(60_000), new CancelToken()).close();
        scheduler.acquire(spec("b", 2048), keep(60_000), new CancelToken()).close();
        engine.stuckOnClose = "a";
        Future<Object> expiring = async(() -> {
            scheduler.expire("a");
            return null;
        });
        assertTrue(engine.stuckCloseBegan.await(5, TimeUnit.SECONDS), "a's close began");

        async(() -> {
            scheduler.acquire(spec("b", 2048), keep(60_000), new CancelToken()).close();
            return null;
        }).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        SchedulerStats stats = async(scheduler::stats).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(0, stats.inFlight());
        List<ResidentModel> resident = async(scheduler::resident).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(List.of("b"), resident.stream().map(r -> r.spec().name()).toList());
        assertFalse(expiring.isDone(), "expire returns once the runner is closed");

        engine.unstick.countDown();
        expiring.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("load a", "load b", "unload a"), engine.events);
    }

    @Test
    void evictingAStuckRunnerForALoadLetsTheOtherResidentModelThroughButTheLoadWaitsForItsMemory() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(30_000), new CancelToken()).close(); // goes first: ends soonest
        scheduler.acquire(spec("b", 2048), keep(60_000), new CancelToken()).close();
        engine.stuckOnClose = "a";
        Future<Lease> c = async(() -> scheduler.acquire(spec("c", 2048), keep(60_000), new CancelToken()));
        assertTrue(engine.stuckCloseBegan.await(5, TimeUnit.SECONDS), "a's close began");

        async(() -> {
            scheduler.acquire(spec("b", 2048), keep(60_000), new CancelToken()).close();
            return null;
        }).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        async(scheduler::stats).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        List<ResidentModel> resident = async(scheduler::resident).get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(List.of("b"), resident.stream().map(r -> r.spec().name()).toList());
        Thread.sleep(100);
        assertFalse(c.isDone(), "c loads only once a's runner is closed");
        assertEquals(List.of("load a", "load b"), engine.events);

        engine.unstick.countDown();
        c.get(5, TimeUnit.SECONDS).close();
        assertEquals(List.of("load a", "load b", "unload a", "load c"), engine.events);
    }
}
