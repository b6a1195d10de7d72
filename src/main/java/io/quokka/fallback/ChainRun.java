package io.quokka.fallback;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.engine.TokenListener;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.generation.Fallback;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.Outcome;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A request with a fallback chain. It claims the requested model; when that fails in a way {@link FallbackPolicy}
 * accepts, it claims the chain's next alternative, and so on. It keeps doing so while generating, as long as no text
 * has reached the client: a runner that dies before the first token hands the request to the next alternative. When
 * the chain is exhausted the last failure is the answer.
 */
final class ChainRun implements GenerationService.Run {
    private static final Logger LOG = Logger.getLogger(ChainRun.class);

    private final FallbackChain chain;
    private final GenerationService.Prepared requested;
    private final CancelToken cancel;
    private final RunStarter local;
    private final GenerationService service;
    private final UpstreamClient upstreams;
    private int next;
    /** Who runs now: the requested model's name, or the last alternative tried. */
    private String current;
    private GenerationService.Run run;
    private volatile Fallback fallback;

    private ChainRun(FallbackChain chain, GenerationService.Prepared requested, CancelToken cancel,
                     RunStarter local, GenerationService service, UpstreamClient upstreams) {
        this.chain = chain;
        this.requested = requested;
        this.cancel = cancel;
        this.local = local;
        this.service = service;
        this.upstreams = upstreams;
        this.current = chain.model(); // as configured, not as the client spelt it: a bounded metrics label
    }

    static ChainRun start(FallbackChain chain, GenerationService.Prepared prepared, CancelToken cancel,
                          RunStarter local, GenerationService service, UpstreamClient upstreams) {
        ChainRun chainRun = new ChainRun(chain, prepared, cancel, local, service, upstreams);
        try {
            chainRun.run = local.start(prepared, cancel);
        } catch (Exception e) {
            chainRun.moveOn(e);
        }
        return chainRun;
    }

    /**
     * Claims the next alternative that can answer after {@code failure}.
     *
     * @throws Exception {@code failure} (or the last alternative's) when it must reach the client
     */
    private void moveOn(Exception failure) {
        while (true) {
            Optional<String> reason = FallbackPolicy.reason(failure, chain, next > 0);
            if (reason.isEmpty() || cancel.isCancelled() || service.draining()) throw sneaky(failure);
            if (next >= chain.steps().size()) {
                LOG.warnf("model %s: no alternative left after %s (%s)", requested.command().model(), current,
                        failure.getMessage());
                throw sneaky(failure);
            }
            Step step = chain.steps().get(next++);
            Fallback chosen = new Fallback(requested.command().model(), current, step.name(), reason.get());
            LOG.warnf("model %s: %s (%s); falling back to %s", current, reason.get(), failure.getMessage(),
                    describe(step));
            current = step.name();
            try {
                run = open(step, chosen);
                fallback = chosen;
                return;
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    private GenerationService.Run open(Step step, Fallback chosen) throws Exception {
        return switch (step) {
            case Step.Local l -> {
                GenerationService.Prepared alternative = service.prepare(requested.command().withModel(l.model()))
                        .asFallback(chosen, requested.startNanos());
                yield local.start(alternative, cancel);
            }
            case Step.Remote r -> UpstreamRun.open(r.upstream(), requested, chosen, cancel, upstreams, service);
        };
    }

    private static String describe(Step step) {
        return switch (step) {
            case Step.Local l -> l.model();
            case Step.Remote r -> "upstream " + r.upstream().describe();
        };
    }

    @Override
    public Outcome generate(TokenListener listener) throws EngineException {
        boolean[] sent = {false};
        TokenListener tracked = text -> {
            if (!text.isEmpty()) sent[0] = true;
            listener.onText(text);
        };
        while (true) {
            try {
                return run.generate(tracked);
            } catch (EngineException | io.quokka.fallback.upstream.UpstreamException e) {
                if (sent[0]) throw e; // the client has text from this model: never switch models mid-answer
                GenerationService.Run failed = run;
                run = null;
                failed.close();
                moveOn(e);
            }
        }
    }

    @Override
    public long loadNanos() {
        return run == null ? 0 : run.loadNanos();
    }

    @Override
    public Fallback fallback() {
        return fallback;
    }

    /** The parser of the run claimed first; a local model that takes over while generating reuses it. */
    @Override
    public io.quokka.generation.ReplyParser replyParser() {
        return run.replyParser();
    }

    @Override
    public void close() {
        if (run != null) run.close(); // null when the last alternative failed while generating (already closed)
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> RuntimeException sneaky(Exception e) throws E {
        throw (E) e;
    }
}
