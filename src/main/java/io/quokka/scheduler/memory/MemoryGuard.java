package io.quokka.scheduler.memory;

import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.gguf.GgufFile;
import io.quokka.scheduler.LoadPlanner;
import io.quokka.scheduler.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Never starts a load the kernel would kill. Before every load it estimates what the runner will make resident
 * ({@link MemoryEstimate}) and compares it with what may still be used ({@link MemoryBudget}): if it fits, the load
 * goes ahead; if not, the context shrinks (to the largest multiple of 256 tokens per slot that fits, not below the
 * floor); if even the floor does not fit, the load is refused with Ollama's message.
 */
public final class MemoryGuard implements LoadPlanner {
    private static final Logger LOG = Logger.getLogger(MemoryGuard.class);
    private static final int STEP = 256;

    /**
     * @param enabled      false loads whatever is asked (the estimate is still shown)
     * @param contextFloor the smallest context per slot the guard shrinks to
     */
    /**
     * @param calibration the engine the runners load, asked when the first estimate is made (choosing the engine
     *                    may extract a library: not at boot)
     */
    public record Settings(boolean enabled, int contextFloor, Supplier<MemoryEstimate.Calibration> calibration) {
        public Settings {
            if (contextFloor < 1) throw new IllegalArgumentException("contextFloor must be positive: " + contextFloor);
        }

        /** For the current engine (v0.5.0). */
        public Settings(boolean enabled, int contextFloor) {
            this(enabled, contextFloor, () -> MemoryEstimate.Calibration.V050);
        }
    }

    /**
     * A decision.
     *
     * @param load      what to load ({@code numCtx} possibly smaller than asked)
     * @param estimate  the estimate for {@code load}
     * @param requested the estimate for what was asked
     * @param available what may be used
     */
    public record Plan(LoadRequest load, MemoryEstimate estimate, MemoryEstimate requested, MemoryBudget.Available available) {
        public boolean shrunk() {
            return estimate.contextLength() < requested.contextLength();
        }
    }

    private final MemoryBudget budget;
    private final Function<Path, GgufFile> headers;
    private final Settings settings;

    public MemoryGuard(MemoryBudget budget, Function<Path, GgufFile> headers, Settings settings) {
        this.budget = budget;
        this.headers = headers;
        this.settings = settings;
    }

    public MemoryBudget budget() {
        return budget;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public LoadRequest plan(ModelSpec spec, long reclaimableBytes) {
        if (!settings.enabled()) return spec.load();
        Plan plan;
        try {
            plan = plan(headers.apply(spec.load().modelFile()), spec.load(), budget.available(reclaimableBytes));
        } catch (InsufficientMemoryException e) {
            LOG.warnf("model %s: refusing to load: %s (floor num_ctx %d)", spec.name(), e.getMessage(),
                    Math.min(spec.load().numCtx() / spec.load().numParallel(), settings.contextFloor()));
            throw e;
        }
        if (plan.shrunk()) {
            LOG.warnf("model %s: %s does not fit in %s (%s); loading with num_ctx %d instead of %d (%s)", spec.name(),
                    ByteSize.human(plan.requested().total()), ByteSize.human(plan.available().bytes()),
                    plan.available().source(), plan.load().numCtx() / plan.load().numParallel(),
                    spec.load().numCtx() / spec.load().numParallel(), plan.estimate());
        } else {
            LOG.debugf("model %s: %s fits in %s (%s)", spec.name(), plan.estimate(), ByteSize.human(plan.available().bytes()),
                    plan.available().source());
        }
        return plan.load();
    }

    /**
     * Whether {@code spec}'s model fits as asked next to runners that stay resident. What they use now is already
     * counted by the budget (their RSS is in the process tree, the cgroup's usage, or gone from {@code MemAvailable});
     * what is not yet counted is what each may still grow into: its estimate minus its RSS (compute buffers are
     * touched only by the first prompt that fills the context). So the new model's estimate plus that growth must
     * fit in what is available now; nothing is counted twice.
     */
    @Override
    public boolean fitsAlongside(ModelSpec spec, List<Occupant> staying) {
        if (!settings.enabled()) return true;
        MemoryBudget.Available available = budget.available(0);
        long growth = 0;
        for (Occupant o : staying) {
            growth += Math.max(0, estimate(headers.apply(o.load().modelFile()), o.load(), o.load().numCtx()).total()
                    - o.residentBytes());
        }
        MemoryEstimate needed = estimate(headers.apply(spec.load().modelFile()), spec.load(), spec.load().numCtx());
        boolean fits = needed.total() + growth <= available.bytes();
        LOG.debugf("model %s: %s %s alongside %d resident (%s they may still grow into) in %s (%s)", spec.name(), needed,
                fits ? "fits" : "does not fit", staying.size(), ByteSize.human(growth), ByteSize.human(available.bytes()),
                available.source());
        return fits;
    }

    /** Plans against what is available now, with nothing to reclaim; for {@code /api/show} and {@code quokka fit}. */
    public Plan plan(GgufFile gguf, LoadRequest request) {
        return plan(gguf, request, budget.available(0));
    }

    /**
     * Plans a load of {@code gguf} with {@code request}'s options into {@code available}.
     *
     * @throws InsufficientMemoryException when even the floor context does not fit
     */
    public Plan plan(GgufFile gguf, LoadRequest request, MemoryBudget.Available available) {
        MemoryEstimate asked = estimate(gguf, request, request.numCtx());
        if (asked.total() <= available.bytes()) return new Plan(request, asked, asked, available);
        int slots = request.numParallel();
        int perSlot = request.numCtx() / slots;
        int floor = Math.min(perSlot, settings.contextFloor());
        MemoryEstimate atFloor = estimate(gguf, request, floor * slots);
        if (atFloor.total() > available.bytes()) {
            LOG.debugf("%s at num_ctx %d does not fit in %s (%s)", atFloor, floor, ByteSize.human(available.bytes()),
                    available.source());
            throw new InsufficientMemoryException(atFloor.total(), available.bytes());
        }
        // The estimate grows with the context: binary search the largest multiple of STEP above the floor that fits.
        int best = floor;
        int lo = floor / STEP + 1;
        int hi = (perSlot - 1) / STEP;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (estimate(gguf, request, mid * STEP * slots).total() <= available.bytes()) {
                best = mid * STEP;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        LoadRequest shrunk = new LoadRequest(request.modelFile(), best * slots, request.numBatch(), request.numThread(),
                slots, request.useMmap(), request.flashAttention(), request.kvCacheType());
        return new Plan(shrunk, estimate(gguf, request, best * slots), asked, available);
    }

    private MemoryEstimate estimate(GgufFile gguf, LoadRequest request, int numCtx) {
        return estimate(gguf, numCtx, request.numBatch(), request.kvCacheType(), request.flashAttention());
    }

    /** {@link MemoryEstimate#of} for the engine the runners load. */
    public MemoryEstimate estimate(GgufFile gguf, int numCtx, int numBatch, KvCacheType kv, boolean flashAttention) {
        return MemoryEstimate.of(gguf, numCtx, numBatch, kv, flashAttention, settings.calibration().get());
    }
}
