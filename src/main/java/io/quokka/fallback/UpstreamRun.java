package io.quokka.fallback;

import io.quokka.engine.CancelToken;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.TokenListener;
import io.quokka.fallback.upstream.Upstream;
import io.quokka.fallback.upstream.UpstreamCall;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.generation.Fallback;
import io.quokka.generation.GenerationReport;
import io.quokka.generation.GenerationService;
import io.quokka.generation.Outcome;
import io.quokka.generation.ShuttingDownException;

/**
 * A request answered by an upstream: claimed when the upstream's answer starts, generated as its lines are relayed.
 * Reported to the generation observers like a local generation, under the upstream's model.
 */
final class UpstreamRun implements GenerationService.Run {
    private final UpstreamCall call;
    private final GenerationService.Prepared requested;
    private final Fallback fallback;
    private final GenerationService service;
    private final long claimNanos;
    /** Ends this call's part in a graceful shutdown's count of what is in flight. */
    private final Runnable untrack;

    private UpstreamRun(UpstreamCall call, GenerationService.Prepared requested, Fallback fallback,
                        GenerationService service, Runnable untrack) {
        this.untrack = untrack;
        this.call = call;
        this.requested = requested;
        this.fallback = fallback;
        this.service = service;
        this.claimNanos = System.nanoTime() - requested.startNanos();
    }

    static UpstreamRun open(Upstream upstream, GenerationService.Prepared requested, Fallback fallback,
                            CancelToken cancel, UpstreamClient upstreams, GenerationService service) {
        Runnable untrack = service.track(cancel);
        try {
            return new UpstreamRun(upstreams.open(upstream, requested.command(), cancel), requested, fallback, service,
                    untrack);
        } catch (UpstreamException e) {
            untrack.run();
            report(service, requested, fallback, GenerationReport.ERROR, null, -1, e.getMessage());
            if (service.draining()) throw new ShuttingDownException();
            throw e;
        }
    }

    @Override
    public Outcome generate(TokenListener listener) {
        UpstreamCall.Result r;
        try {
            r = call.relay(listener);
        } catch (UpstreamException e) {
            report(service, requested, fallback, e.status() == 499 ? GenerationReport.CANCELLED : GenerationReport.ERROR,
                    null, -1, e.getMessage());
            if (service.draining()) throw new ShuttingDownException(); // cancelled by the drain: say why
            throw e;
        } catch (RuntimeException e) {
            report(service, requested, fallback, GenerationReport.CANCELLED, null, -1, e.getMessage());
            throw e;
        }
        var result = new GenerationResult(r.doneReason(), r.promptTokens(), r.promptNanos(), r.evalTokens(),
                r.evalNanos(), new int[0]);
        report(service, requested, fallback, r.doneReason().wireName, result, r.firstTextNanos(), null);
        return new Outcome(result, claimNanos, System.nanoTime() - requested.startNanos());
    }

    private static void report(GenerationService service, GenerationService.Prepared requested, Fallback fallback,
                               String outcome, GenerationResult result, long firstNanos, String error) {
        long now = System.nanoTime();
        service.publish(new GenerationReport(requested.endpoint(), fallback.to(), outcome,
                result == null ? 0 : result.promptEvalCount(), result == null ? 0 : result.evalCount(),
                firstNanos < 0 ? -1 : firstNanos - requested.startNanos(), 0,
                result == null ? 0 : result.evalNanos(), now - requested.startNanos(), error, fallback));
    }

    @Override
    public long loadNanos() {
        return claimNanos;
    }

    @Override
    public Fallback fallback() {
        return fallback;
    }

    @Override
    public void close() {
        call.close();
        untrack.run();
    }
}
