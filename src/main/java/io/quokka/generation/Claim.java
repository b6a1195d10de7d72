package io.quokka.generation;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import java.time.Duration;

/**
 * A request's claim on its model, made on a thread of its own so that the request can answer (commit its headers,
 * see the client leave) while the model is queued for or loading. Exactly one side ends up owning the run: the
 * request, by {@link #take() taking} it, or else the claim itself, which closes a run nobody takes any more. A claim
 * is {@link #abandon() abandoned} when its client leaves (its cancel token fires) or its request ends without taking
 * it; a run that completes after that is released at once, so a client that leaves at any moment never keeps a
 * model claimed.
 */
public final class Claim {
    private enum State { PENDING, SETTLED, TAKEN }

    private State state = State.PENDING; // guarded by this
    private boolean abandoned; // guarded by this: nobody will take a run any more
    private GenerationService.Run run; // guarded by this; the claimed run once settled, until taken
    private Exception failure; // guarded by this; why there is no run, once settled

    private Claim() {}

    /**
     * Starts claiming what answers {@code prepared}, through {@code starter}, on a virtual thread; abandoned when
     * {@code cancel} fires.
     */
    public static Claim start(RunStarter starter, GenerationService.Prepared prepared, CancelToken cancel) {
        Claim claim = new Claim();
        Thread.ofVirtual().name("claim").start(() -> {
            try {
                claim.settle(starter.start(prepared, cancel), null);
            } catch (Exception e) {
                claim.settle(null, e);
            } catch (Throwable t) {
                claim.settle(null, new IllegalStateException(t));
                throw t;
            }
        });
        cancel.onCancel(claim::abandon);
        return claim;
    }

    private void settle(GenerationService.Run claimed, Exception failed) {
        boolean unwanted;
        synchronized (this) {
            unwanted = abandoned && claimed != null;
            run = unwanted ? null : claimed;
            failure = unwanted ? new RequestCancelledException() : failed;
            state = State.SETTLED;
            notifyAll();
        }
        // Abandoned while it was being made: nobody will ever take this run.
        if (unwanted) claimed.close();
    }

    /** Waits up to {@code limit} for the claim to be settled (claimed or failed); true if it is. */
    public synchronized boolean settledWithin(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (state == State.PENDING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /**
     * Waits for the claim to settle and takes its run: from now on the caller closes it. Throws the claim's own
     * failure (a shutdown, a full queue, a failed load), or {@link RequestCancelledException} when the claim was
     * abandoned before it could be taken (an interrupted wait abandons it).
     */
    public GenerationService.Run take() throws EngineException, ServerBusyException, RequestCancelledException {
        Exception failed;
        synchronized (this) {
            try {
                while (state == State.PENDING) wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon();
                throw new RequestCancelledException();
            }
            if (state == State.TAKEN) throw new IllegalStateException("a claim is taken once");
            state = State.TAKEN;
            if (run != null) return run;
            failed = failure;
        }
        throw rethrow(failed);
    }

    /** True once the claim settled without a run: {@link #take} throws why. */
    public synchronized boolean failed() {
        return state == State.SETTLED && run == null;
    }

    /**
     * The fallback that will answer, for a claim already settled with a run (else null). The run stays the claim's
     * until taken.
     */
    public synchronized Fallback settledFallback() {
        return state == State.SETTLED && run != null ? run.fallback() : null;
    }

    /**
     * Gives the claim up: a run already claimed is released, one still being made is released when it completes (a
     * failure is kept, so that a taker still learns why). Does nothing once the run was taken: its taker closes it.
     * Never blocks: the release runs on a thread of its own, since a client's departure may be noticed on the I/O
     * event loop.
     */
    public void abandon() {
        GenerationService.Run unclaimed;
        synchronized (this) {
            if (state == State.TAKEN || abandoned) return;
            abandoned = true;
            unclaimed = run;
            if (unclaimed == null) return;
            run = null;
            failure = new RequestCancelledException();
        }
        Thread.ofVirtual().name("claim-release").start(unclaimed::close);
    }

    private static RuntimeException rethrow(Exception cause)
            throws EngineException, ServerBusyException, RequestCancelledException {
        switch (cause) {
            case EngineException e -> throw e;
            case ServerBusyException e -> throw e;
            case RequestCancelledException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException(cause);
        }
    }
}
