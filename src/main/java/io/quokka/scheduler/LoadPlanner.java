package io.quokka.scheduler;

import io.quokka.engine.LoadRequest;

/**
 * Decides, right before a load, what to load: the memory guard ({@code scheduler.memory.MemoryGuard}) shrinks the
 * context to what fits, or refuses by throwing. Called before the resident model is evicted, so a refused load
 * leaves it in place.
 */
@FunctionalInterface
public interface LoadPlanner {
    /** Loads what was asked. */
    LoadPlanner NONE = (spec, reclaimable) -> spec.load();

    /**
     * @param spec             the model as requested
     * @param reclaimableBytes memory the resident runner returns when this load replaces it (0 when none does)
     * @return the load to run, possibly with a smaller {@code numCtx}
     */
    LoadRequest plan(ModelSpec spec, long reclaimableBytes);
}
