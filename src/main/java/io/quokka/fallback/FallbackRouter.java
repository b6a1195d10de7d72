package io.quokka.fallback;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import java.util.Optional;

/**
 * What the API starts a generation through: a request whose model has a fallback chain (and whose client did not opt
 * out) runs as a {@link ChainRun}, which moves down the chain when the model cannot answer; any other goes straight
 * to the local start ({@link GenerationService#start}).
 */
public final class FallbackRouter implements RunStarter {
    private final FallbackChains chains;
    private final GenerationService service;
    private final RunStarter local;
    private final UpstreamClient upstreams;

    /**
     * @param service   what alternatives run on (draining, tracking an upstream call, reports)
     * @param local     how a local model is claimed: {@code service::start} (a fake in tests)
     * @param upstreams the client for remote alternatives
     */
    public FallbackRouter(FallbackChains chains, GenerationService service, RunStarter local, UpstreamClient upstreams) {
        this.chains = chains;
        this.service = service;
        this.local = local;
        this.upstreams = upstreams;
    }

    @Override
    public GenerationService.Run start(GenerationService.Prepared prepared, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        // A load-only request (empty prompt) is about the named model: it never falls back.
        Optional<FallbackChain> chain = prepared.fallbackAllowed() && !prepared.noWork()
                ? chains.find(prepared.command().model(), prepared.model().name()) : Optional.empty();
        if (chain.isEmpty()) return local.start(prepared, cancel);
        return ChainRun.start(chain.get(), prepared, cancel, local, service, upstreams);
    }
}
