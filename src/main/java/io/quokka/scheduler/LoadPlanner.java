package io.quokka.scheduler;

import io.quokka.engine.LoadRequest;
import java.util.List;

/**
 * Decides, right before a load, what to load: the memory guard ({@code scheduler.memory.MemoryGuard}) shrinks the
 * context to what fits, or refuses by throwing. Called before any resident model is evicted, so a refused load
 * leaves them in place.
 */
@FunctionalInterface
public interface LoadPlanner {
    /** Loads what was asked, alongside anything. */
    LoadPlanner NONE = (spec, reclaimable) -> spec.load();

    /**
     * A runner that stays resident while another model loads next to it.
     *
     * @param load          what it loaded (the effective options, after any shrink)
     * @param residentBytes its resident memory now, or 0 when unknown
     */
    record Occupant(LoadRequest load, long residentBytes) {}

    /**
     * The load to run when nothing else stays resident.
     *
     * @param spec             the model as requested
     * @param reclaimableBytes memory the resident runners return when this load replaces them (0 when none does)
     * @return the load to run, possibly with a smaller {@code numCtx}
     */
    LoadRequest plan(ModelSpec spec, long reclaimableBytes);

    /**
     * Whether {@code spec}'s model fits as asked (no shrink) next to {@code staying}, which keep running. Answers
     * quietly: the scheduler evicts instead when it does not. Default: it always fits.
     */
    default boolean fitsAlongside(ModelSpec spec, List<Occupant> staying) {
        return true;
    }
}
