package io.quokka.generation;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;

/**
 * Where {@link GenerationService#start} turns when a request's model may be replaced by an alternative
 * (implemented by {@code io.quokka.fallback}). Without one, the requested model runs or fails as it is.
 */
@FunctionalInterface
public interface FallbackHook {

    /** Starts {@code prepared}'s own model; the hook calls it for the requested model and for local alternatives. */
    @FunctionalInterface
    interface Starter {
        GenerationService.Run start(GenerationService.Prepared prepared, CancelToken cancel)
                throws EngineException, ServerBusyException, RequestCancelledException;
    }

    GenerationService.Run start(GenerationService.Prepared prepared, CancelToken cancel, Starter local)
            throws EngineException, ServerBusyException, RequestCancelledException;

    /** No chains: the requested model or its failure. */
    FallbackHook NONE = (prepared, cancel, local) -> local.start(prepared, cancel);
}
