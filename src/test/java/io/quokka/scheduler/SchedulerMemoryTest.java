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
}
