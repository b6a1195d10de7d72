package io.quokka.api;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.Claim;
import io.quokka.generation.GenerationService;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
import io.quokka.generation.ReplyParser;
import io.quokka.generation.RunStarter;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Runs a prepared generation and writes its answer in an API family's {@link Framing}: streamed piece by piece (each
 * flushed as its token arrives) or as one object. The one path for Ollama's NDJSON and OpenAI's server-sent events.
 *
 * <p>The model is claimed on a thread of its own ({@link Claim}). A claim settled within {@link #HEADERS_AFTER} (a
 * resident model, or a fast failure, which keeps its status code) answers as usual; a slower one (a load, a queue)
 * commits a streamed response's 200 and headers at once, so the client does not time out, and a failure from then
 * on is the stream's last line or event. Whatever happens to the client (it leaves while queued, while the model
 * loads, while tokens stream), the claim is either taken by the stream, which closes it, or abandoned, and then
 * released by whoever completes it: no departure keeps a model claimed.
 */
public final class GenerationResponder {
    /** How long a streamed request waits for its model before committing the response. */
    static final Duration HEADERS_AFTER = Duration.ofMillis(100);

    private final GenerationService service;
    private final RunStarter starter;

    /** Answers through {@code starter} (the fallback router); {@code service} unloads. */
    public GenerationResponder(GenerationService service, RunStarter starter) {
        this.service = service;
        this.starter = starter;
    }

    public Response respond(GenerationService.Prepared prepared, boolean stream, Framing framing,
                            HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        if (prepared.noWork()) return loadOrUnload(prepared, stream, framing);
        CancelToken cancel = new CancelToken();
        Claim claim = Claim.start(starter, FallbackHeaders.routed(prepared), cancel);
        ClientWatch watch = ClientWatch.start(http, cancel, claim::abandon);
        if (!stream) {
            try (watch; GenerationService.Run run = claim.take()) {
                ReplyParser parser = run.replyParser();
                Reply.Builder reply = new Reply.Builder();
                Outcome outcome = run.generate(piece -> reply.add(parser.add(piece)));
                reply.add(parser.finish());
                Object whole = framing.whole(reply.build(), outcome, run.fallback());
                return FallbackHeaders.tell(Response.ok(whole), run.fallback()).type(framing.wholeType()).build();
            }
        }
        boolean settled;
        try {
            settled = claim.settledWithin(HEADERS_AFTER);
            if (settled && claim.failed()) claim.take(); // throws the failure, with its status code
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            claim.abandon();
            watch.close();
            throw new RequestCancelledException();
        } catch (EngineException | ServerBusyException | RequestCancelledException | RuntimeException e) {
            watch.close();
            throw e;
        }
        boolean slow = !settled;
        StreamingOutput body = out -> stream(claim, cancel, watch, framing, ChunkStream.of(http, out), slow);
        // A fallback decided before the answer starts is in its headers; a later one only in the chunks' model.
        return FallbackHeaders.tell(Response.ok(body), claim.settledFallback()).type(framing.streamType()).build();
    }

    /**
     * Writes a streamed answer. The run stays the claim's until taken here; a stream that ends without taking it
     * abandons the claim, which then releases the run itself.
     */
    private void stream(Claim claim, CancelToken cancel, ClientWatch watch, Framing framing, ChunkStream chunks,
                        boolean slow) {
        GenerationService.Run run = null;
        try (watch) {
            if (slow) chunks.open(framing.opening());
            run = claim.take();
            GenerationService.Run answering = run;
            ReplyParser parser = run.replyParser();
            // Called on the I/O event loop as each token arrives from the runner: the chunk goes out from there.
            Outcome outcome = run.generate(piece -> {
                Reply r = parser.add(piece);
                if (r.isEmpty()) return; // a held-back tag or call waits
                chunks.write(framing.piece(r, answering.fallback()));
                watch.relax();
            });
            chunks.write(framing.end(parser.finish(), outcome, run.fallback()));
        } catch (UncheckedIOException e) {
            // The client went away: stop generating, nothing left to write to.
            cancel.cancel();
        } catch (Exception e) {
            try { // the framing's failure goes through ErrorTable, which logs it as it deserves
                chunks.write(framing.failure(e));
            } catch (UncheckedIOException gone) {
                // The client already left.
            }
        } finally {
            if (run != null) run.close();
            else claim.abandon();
        }
    }

    /** An empty prompt (or no messages) loads the model; with {@code keep_alive: 0} it unloads it instead. */
    private Response loadOrUnload(GenerationService.Prepared prepared, boolean stream, Framing framing)
            throws EngineException, ServerBusyException, RequestCancelledException {
        if (prepared.keepAlive() != null && prepared.keepAlive().immediate()) {
            service.unload(prepared);
            return framing.nothingToGenerate("unload", stream);
        }
        try (var run = starter.start(prepared, new CancelToken())) {
            return framing.nothingToGenerate("load", stream);
        }
    }
}
