package io.quokka.fallback;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.generation.FallbackHook;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import java.util.Optional;

/**
 * The fallback chains hooked into {@link GenerationService#start}: a request whose model has a chain (and whose client
 * did not opt out) runs as a {@link ChainRun}, which moves down the chain when the model cannot answer.
 */
public final class FallbackRouter implements FallbackHook {
    private final FallbackChains chains;
    private final GenerationService service;
    private final UpstreamClient upstreams;

    public FallbackRouter(FallbackChains chains, GenerationService service, UpstreamClient upstreams) {
        this.chains = chains;
        this.service = service;
        this.upstreams = upstreams;
    }

    @Override
    public GenerationService.Run start(GenerationService.Prepared prepared, CancelToken cancel, Starter local)
            throws EngineException, ServerBusyException, RequestCancelledException {
        // A load-only request (empty prompt) is about the named model: it never falls back.
        Optional<FallbackChain> chain = prepared.fallbackAllowed() && !prepared.noWork()
                ? chains.find(prepared.command().model(), prepared.model().name()) : Optional.empty();
        if (chain.isEmpty()) return local.start(prepared, cancel);
        return ChainRun.start(chain.get(), prepared, cancel, local, service, upstreams);
    }
}
