package io.quokka.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.CancelToken;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Residency and keep-alive rules, with a fake engine and millisecond keep-alives. */
class SchedulerTest {
    /** One thread per waiter: the common pool has a single worker on a 2-core machine. */
    static final java.util.concurrent.Executor THREADS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    final FakeEngine engine = new FakeEngine();
    final Scheduler scheduler = new Scheduler(engine, 3);

    @AfterEach
    void close() {
        scheduler.close();
    }

    static ModelSpec spec(String file, int numCtx) {
        return new ModelSpec(file, "digest-" + file,
                new LoadRequest(Path.of(file), numCtx, 512, 2, 1, true, false, KvCacheType.F16), null);
    }

    static KeepAlive keep(long millis) {
        return new KeepAlive(Duration.ofMillis(millis));
    }

    @Test
    void requestsForTheResidentModelShareItsRunner() throws Exception {
        try (Lease a = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
             Lease b = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken())) {
            assertSame(a.model(), b.model());
        }
        assertEquals(1, engine.loads.get());
    }

    @Test
    void aDifferentModelWaitsForTheResidentOneThenReplacesIt() throws Exception {
        Lease a = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
        CompletableFuture<Lease> b = CompletableFuture.supplyAsync(() -> {
            try {
                return scheduler.acquire(spec("b", 2048), keep(10_000), new CancelToken());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
        Thread.sleep(100);
        assertTrue(!b.isDone(), "b must wait while a is in use");
        a.close();
        try (Lease lb = b.get(5, TimeUnit.SECONDS)) {
            assertEquals(List.of("load a", "unload a", "load b"), engine.events);
        }
    }

    @Test
    void differentLoadOptionsReload() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
        scheduler.acquire(spec("a", 4096), keep(10_000), new CancelToken()).close();
        assertEquals(List.of("load a", "unload a", "load a"), engine.events);
    }

    @Test
    void keepAliveExpiresAfterTheLastRequest() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(150), new CancelToken()).close();
        assertEquals(1, scheduler.resident().size());
        Thread.sleep(600);
        assertEquals(0, scheduler.resident().size());
        assertEquals(List.of("load a", "unload a"), engine.events);
    }

    @Test
    void keepAliveZeroUnloadsAtOnceAndForeverNever() throws Exception {
        scheduler.acquire(spec("a", 2048), KeepAlive.UNLOAD_NOW, new CancelToken()).close();
        assertEquals(List.of("load a", "unload a"), engine.events);
        scheduler.acquire(spec("b", 2048), KeepAlive.FOREVER, new CancelToken()).close();
        Thread.sleep(200);
        assertEquals(1, scheduler.resident().size());
        assertTrue(scheduler.resident().getFirst().expiresAt().isAfter(java.time.Instant.now().plus(Duration.ofDays(365 * 100))));
    }

    @Test
    void psNeverResetsTheTimer() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(300), new CancelToken()).close();
        long until = System.currentTimeMillis() + 800;
        while (System.currentTimeMillis() < until) {
            scheduler.resident();
            Thread.sleep(20);
        }
        assertEquals(0, scheduler.resident().size());
    }

    @Test
    void expireUnloadsAnIdleModel() throws Exception {
        scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
        scheduler.expire("a");
        assertEquals(0, scheduler.resident().size());
    }

    @Test
    void aFullQueueIsRefusedWithOllamasMessage() throws Exception {
        Lease a = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
        List<CompletableFuture<Void>> waiting = new java.util.ArrayList<>();
        CancelToken cancel = new CancelToken();
        for (int i = 0; i < 3; i++) {
            waiting.add(CompletableFuture.runAsync(() -> {
                try {
                    scheduler.acquire(spec("b", 2048), keep(10_000), cancel).close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, THREADS));
        }
        Thread.sleep(200);
        ServerBusyException busy = assertThrows(ServerBusyException.class,
                () -> scheduler.acquire(spec("c", 2048), keep(10_000), new CancelToken()));
        assertEquals("server busy, please try again.  maximum pending requests exceeded", busy.getMessage());
        cancel.cancel();
        a.close();
    }

    @Test
    void aCancelledWaiterLeavesWithoutLoading() throws Exception {
        Lease a = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
        CancelToken cancel = new CancelToken();
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
            try {
                scheduler.acquire(spec("b", 2048), keep(10_000), cancel).close();
            } catch (RequestCancelledException expected) {
                // the point of the test
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
        Thread.sleep(100);
        cancel.cancel();
        b.get(2, TimeUnit.SECONDS);
        a.close();
        assertEquals(List.of("load a"), engine.events);
    }

    @Test
    void requestsForTheResidentModelQueueBehindAnEarlierRequestForAnother() throws Exception {
        Lease a = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
        CompletableFuture<Lease> b = CompletableFuture.supplyAsync(() -> {
            try {
                return scheduler.acquire(spec("b", 2048), keep(10_000), new CancelToken());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
        Thread.sleep(100);
        CompletableFuture<Lease> laterA = CompletableFuture.supplyAsync(() -> {
            try {
                return scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
        Thread.sleep(100);
        assertTrue(!laterA.isDone(), "a later request for the resident model must not overtake the waiting one");
        a.close();
        b.get(5, TimeUnit.SECONDS).close();
        laterA.get(5, TimeUnit.SECONDS).close();
        assertEquals(List.of("load a", "unload a", "load b", "unload b", "load a"), engine.events);
    }

    @Test
    void interleavedRequestsForTwoModelsDoNotSwapOncePerRequest() throws Exception {
        engine.loadMillis = 50;
        Scheduler scheduler = new Scheduler(engine, 64);
        Lease first = scheduler.acquire(spec("a", 2048), keep(10_000), new CancelToken());
        List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String model = i % 2 == 0 ? "b" : "a";
            all.add(CompletableFuture.runAsync(() -> {
                try (Lease l = scheduler.acquire(spec(model, 2048), keep(10_000), new CancelToken())) {
                    Thread.sleep(20);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, THREADS));
            Thread.sleep(10);
        }
        first.close();
        for (CompletableFuture<Void> f : all) f.get(10, TimeUnit.SECONDS);
        assertTrue(engine.loads.get() <= 4, "loads: " + engine.events);
        scheduler.close();
    }

    // OLLAMA_MAX_LOADED_MODELS > 1

    static Scheduler places(FakeEngine engine, int maxLoaded) {
        return new Scheduler(engine, 64, maxLoaded, LoadPlanner.NONE);
    }

    static CompletableFuture<Lease> async(Scheduler scheduler, ModelSpec spec, KeepAlive keepAlive) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return scheduler.acquire(spec, keepAlive, new CancelToken());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, THREADS);
    }

    @Test
    void twoPlacesKeepTwoModelsResidentAndAlternatingRequestsDoNotReload() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            for (int i = 0; i < 3; i++) {
                two.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken()).close();
                two.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
            }
            assertEquals(List.of("load a", "load b"), engine.events);
            // /api/ps: every resident model, the one with the longest time left first (as Ollama sorts)
            assertEquals(List.of("a", "b"), two.resident().stream().map(r -> r.spec().name()).toList());
            // both at once, each on its own runner
            try (Lease a = two.acquire(spec("a", 2048), keep(10_000), new CancelToken());
                 Lease b = two.acquire(spec("b", 2048), keep(10_000), new CancelToken())) {
                assertTrue(a.model() != b.model());
                assertEquals(2, two.stats().inFlight());
            }
        }
    }

    @Test
    void aThirdModelEvictsTheIdleOneWhoseKeepAliveEndsSoonest() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            two.acquire(spec("a", 2048), keep(60_000), new CancelToken()).close();
            two.acquire(spec("b", 2048), keep(5_000), new CancelToken()).close();
            two.acquire(spec("c", 2048), keep(60_000), new CancelToken()).close();
            assertEquals(List.of("load a", "load b", "unload b", "load c"), engine.events);
        }
    }

    @Test
    void withEqualKeepAlivesTheLeastRecentlyUsedGoes() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
            two.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
            Thread.sleep(5);
            two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
            two.acquire(spec("c", 2048), keep(10_000), new CancelToken()).close();
            assertEquals(List.of("load a", "load b", "unload b", "load c"), engine.events);
        }
    }

    @Test
    void aBusyModelIsNotEvictedWhileAnotherIsIdle() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            // a has the shorter keep-alive but a request in flight: the idle b goes, at once
            Lease a = two.acquire(spec("a", 2048), keep(1_000), new CancelToken());
            two.acquire(spec("b", 2048), keep(60_000), new CancelToken()).close();
            two.acquire(spec("c", 2048), keep(60_000), new CancelToken()).close();
            assertEquals(List.of("load a", "load b", "unload b", "load c"), engine.events);
            assertTrue(a.model().isAlive());
            a.close();
        }
    }

    @Test
    void whenEveryModelIsBusyTheNewOneWaitsForTheChosenOneToFinish() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            Lease a = two.acquire(spec("a", 2048), keep(60_000), new CancelToken());
            Lease b = two.acquire(spec("b", 2048), keep(1_000), new CancelToken());
            CompletableFuture<Lease> c = async(two, spec("c", 2048), keep(60_000));
            Thread.sleep(100);
            assertTrue(!c.isDone(), "c waits while both are busy");
            // b (the shorter keep-alive) was chosen: a later request for it queues behind c; one for a goes through
            CompletableFuture<Lease> laterB = async(two, spec("b", 2048), keep(1_000));
            two.acquire(spec("a", 2048), keep(60_000), new CancelToken()).close();
            Thread.sleep(100);
            assertTrue(!laterB.isDone(), "a later request for the chosen model must not keep it busy");
            b.close();
            c.get(5, TimeUnit.SECONDS).close();
            laterB.get(5, TimeUnit.SECONDS).close();
            a.close();
            assertEquals(List.of("load a", "load b", "unload b", "load c", "unload c", "load b"), engine.events);
        }
    }

    @Test
    void aResidentModelIsServedWhileAnotherLoads() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
            engine.loadMillis = 1_000;
            CompletableFuture<Lease> b = async(two, spec("b", 2048), keep(10_000));
            Thread.sleep(100);
            two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
            assertTrue(!b.isDone(), "a must not wait for b's load");
            assertEquals("b", two.stats().loading());
            b.get(5, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void keepAliveTimersArePerModel() throws Exception {
        try (Scheduler three = places(engine, 3)) {
            three.acquire(spec("a", 2048), keep(150), new CancelToken()).close();
            three.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
            three.acquire(spec("c", 2048), KeepAlive.UNLOAD_NOW, new CancelToken()).close();
            assertEquals(List.of("a", "b"), three.resident().stream().map(r -> r.spec().name()).sorted().toList());
            Thread.sleep(600);
            assertEquals(List.of("b"), three.resident().stream().map(r -> r.spec().name()).toList());
            assertEquals(List.of("load a", "load b", "load c", "unload c", "unload a"), engine.events);
        }
    }

    @Test
    void expireAndCloseUnloadEveryResidentModel() throws Exception {
        Scheduler two = places(engine, 2);
        two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
        two.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
        two.expire("a");
        assertEquals(List.of("b"), two.resident().stream().map(r -> r.spec().name()).toList());
        two.close();
        assertEquals(List.of("load a", "load b", "unload a", "unload b"), engine.events);
    }

    @Test
    void otherLoadOptionsReloadOnlyThatModel() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            two.acquire(spec("a", 2048), keep(10_000), new CancelToken()).close();
            two.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
            two.acquire(spec("a", 4096), keep(10_000), new CancelToken()).close();
            two.acquire(spec("b", 2048), keep(10_000), new CancelToken()).close();
            assertEquals(List.of("load a", "load b", "unload a", "load a"), engine.events);
        }
    }

    @Test
    void aCancelledWaiterReleasesTheModelItWasWaitingFor() throws Exception {
        try (Scheduler two = places(engine, 2)) {
            Lease a = two.acquire(spec("a", 2048), keep(60_000), new CancelToken());
            Lease b = two.acquire(spec("b", 2048), keep(1_000), new CancelToken());
            CancelToken cancel = new CancelToken();
            CompletableFuture<Void> c = CompletableFuture.runAsync(() -> {
                try {
                    two.acquire(spec("c", 2048), keep(60_000), cancel).close();
                } catch (RequestCancelledException expected) {
                    // the point of the test
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, THREADS);
            Thread.sleep(100);
            cancel.cancel();
            c.get(2, TimeUnit.SECONDS);
            // b is no longer held for c: a new request for it goes straight through
            two.acquire(spec("b", 2048), keep(1_000), new CancelToken()).close();
            a.close();
            b.close();
            assertEquals(List.of("load a", "load b"), engine.events);
        }
    }

    @Test
    void manyClientsOnThreeModelsWithTwoPlacesAreAllServedByTheRightModel() throws Exception {
        engine.loadMillis = 5;
        try (Scheduler two = places(engine, 2)) {
            List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int client = i;
                all.add(CompletableFuture.runAsync(() -> {
                    java.util.Random random = new java.util.Random(client);
                    for (int k = 0; k < 5; k++) {
                        String model = List.of("a", "b", "c").get(random.nextInt(3));
                        try (Lease l = two.acquire(spec(model, 2048), keep(10_000), new CancelToken())) {
                            assertEquals(model, ((FakeEngine.FakeModel) l.model()).name);
                            assertTrue(l.model().isAlive());
                            Thread.sleep(random.nextInt(5));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }, THREADS));
            }
            for (CompletableFuture<Void> f : all) f.get(30, TimeUnit.SECONDS);
            int loaded = 0;
            for (String event : engine.events) {
                loaded += event.startsWith("load ") ? 1 : -1;
                assertTrue(loaded <= 2, "never more than two resident: " + engine.events);
            }
        }
    }

    @Test
    void zeroMeansOllamasAutomaticValueForACpu() {
        try (Scheduler auto = places(engine, 0)) {
            assertEquals(3, auto.maxLoaded());
        }
        assertEquals(1, scheduler.maxLoaded());
    }
}
