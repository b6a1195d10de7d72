package io.quokka.generation;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;

/**
 * Claims what answers a prepared request: its own model ({@link GenerationService#start}), or — through the fallback
 * router the API is given instead ({@code io.quokka.fallback}) — an alternative when that model cannot answer. The
 * caller closes the returned run.
 */
@FunctionalInterface
public interface RunStarter {
    GenerationService.Run start(GenerationService.Prepared prepared, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException;
}
