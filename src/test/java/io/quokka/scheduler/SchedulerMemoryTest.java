package io.quokka.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quokka.engine.CancelToken;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The scheduler consults its planner before every load, before evicting anything. */
class SchedulerMemoryTest {
    final FakeEngine engine = new FakeEngine();
    final List<Long> reclaimable = new CopyOnWriteArrayList<>();

    static ModelSpec spec(String file, int ctx) {
        return new ModelSpec(file, "digest", new LoadRequest(Path.of(file), ctx, 512, 1, 1, true, false, KvCacheType.F16), null);
    }

    @Test
    void theEffectiveContextIsLoadedAndTheRequestedSpecStillMatches() throws Exception {
        LoadPlanner halve = (spec, back) -> {
            reclaimable.add(back);
            LoadRequest r = spec.load();
            return new LoadRequest(r.modelFile(), r.numCtx() / 2, r.numBatch(), r.numThread(), r.numParallel(), r.useMmap(),
                    r.flashAttention(), r.kvCacheType());
        };
        try (Scheduler scheduler = new Scheduler(engine, 8, halve)) {
            try (Lease lease = scheduler.acquire(spec("a", 8192), KeepAlive.FOREVER, new CancelToken())) {}
            // the same request again goes straight through: no reload because the context was shrunk
            try (Lease lease = scheduler.acquire(spec("a", 8192), KeepAlive.FOREVER, new CancelToken())) {}
            assertEquals(1, engine.loads.get());
            try (Lease lease = scheduler.acquire(spec("b", 4096), KeepAlive.FOREVER, new CancelToken())) {}
            // the replaced runner's memory was offered back to the planner
            assertEquals(List.of(0L, 1000L), reclaimable);
        }
    }

    @Test
    void aRefusedLoadLeavesTheResidentModelInPlace() throws Exception {
        LoadPlanner refuseB = (spec, back) -> {
            if (spec.name().equals("b")) throw new InsufficientMemoryException(2_000_000_000L, 1_000_000_000L);
            return spec.load();
        };
        try (Scheduler scheduler = new Scheduler(engine, 8, refuseB)) {
            try (Lease lease = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            assertThrows(InsufficientMemoryException.class,
                    () -> scheduler.acquire(spec("b", 2048), KeepAlive.FOREVER, new CancelToken()));
            assertEquals(List.of("load a"), engine.events);
            assertEquals("a", scheduler.resident().getFirst().spec().name());
            try (Lease lease = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            assertEquals(1, engine.loads.get());
        }
    }

    /** A memory guard for a machine with room for one runner only: nothing fits alongside anything. */
    final class OnlyOneFits implements LoadPlanner {
        final List<List<Occupant>> asked = new CopyOnWriteArrayList<>();

        @Override
        public LoadRequest plan(ModelSpec spec, long back) {
            reclaimable.add(back);
            if (spec.name().equals("huge")) throw new InsufficientMemoryException(2_000_000_000L, 1_000_000_000L);
            return spec.load();
        }

        @Override
        public boolean fitsAlongside(ModelSpec spec, List<Occupant> staying) {
            asked.add(staying);
            return staying.isEmpty();
        }
    }

    final List<String> unloads = new CopyOnWriteArrayList<>();

    Scheduler twoPlaces(LoadPlanner planner) {
        Scheduler scheduler = new Scheduler(engine, 8, 2, planner);
        scheduler.addListener(new SchedulerListener() {
            @Override
            public void unloaded(ModelSpec spec, UnloadReason reason) {
                unloads.add(spec.name() + " " + reason.label);
            }
        });
        return scheduler;
    }

    @Test
    void whenTheGuardSaysTheSecondDoesNotFitAlongsideTheFirstIsEvicted() throws Exception {
        OnlyOneFits guard = new OnlyOneFits();
        try (Scheduler scheduler = twoPlaces(guard)) {
            try (Lease lease = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            try (Lease lease = scheduler.acquire(spec("b", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            assertEquals(List.of("load a", "unload a", "load b"), engine.events);
            assertEquals(List.of("a memory"), unloads);
            // asked with what stays: a's effective load and its RSS (the guard adds what it may still grow into)
            assertEquals(List.of(new LoadPlanner.Occupant(spec("a", 2048).load(), 1000)), guard.asked.getFirst());
            // the plan for b once a is gone counted a's memory as returned
            assertEquals(List.of(0L, 1000L), reclaimable);
        }
    }

    @Test
    void aModelThatFitsAlongsideLoadsNextToTheResidentOne() throws Exception {
        LoadPlanner roomy = new LoadPlanner() {
            @Override
            public LoadRequest plan(ModelSpec spec, long back) {
                return spec.load();
            }

            @Override
            public boolean fitsAlongside(ModelSpec spec, List<Occupant> staying) {
                return staying.size() < 2;
            }
        };
        try (Scheduler scheduler = twoPlaces(roomy)) {
            try (Lease lease = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            try (Lease lease = scheduler.acquire(spec("b", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            assertEquals(List.of("load a", "load b"), engine.events);
            assertEquals(2, scheduler.resident().size());
        }
    }

    @Test
    void aLoadRefusedEvenWithEverythingEvictedEvictsNothing() throws Exception {
        OnlyOneFits guard = new OnlyOneFits();
        try (Scheduler scheduler = twoPlaces(guard)) {
            try (Lease lease = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken())) {}
            assertThrows(InsufficientMemoryException.class,
                    () -> scheduler.acquire(spec("huge", 2048), KeepAlive.FOREVER, new CancelToken()));
            assertEquals(List.of("load a"), engine.events);
            assertEquals(List.of(), unloads);
        }
    }

    @Test
    void aBusyModelThatLeavesNoRoomIsWaitedForThenEvicted() throws Exception {
        OnlyOneFits guard = new OnlyOneFits();
        try (Scheduler scheduler = twoPlaces(guard)) {
            Lease a = scheduler.acquire(spec("a", 2048), KeepAlive.FOREVER, new CancelToken());
            var b = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return scheduler.acquire(spec("b", 2048), KeepAlive.FOREVER, new CancelToken());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, SchedulerTest.THREADS);
            Thread.sleep(150);
            assertEquals(List.of("load a"), engine.events);
            // asked once while a stayed busy, not on every poll
            assertEquals(1, guard.asked.size());
            a.close();
            b.get(5, java.util.concurrent.TimeUnit.SECONDS).close();
            assertEquals(List.of("load a", "unload a", "load b"), engine.events);
        }
    }
}
