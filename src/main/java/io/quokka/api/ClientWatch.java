package io.quokka.api;

import io.quokka.engine.CancelToken;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * Cancels a request when its client goes away, whether it is queued, loading a model, processing its prompt or
 * streaming. Vert.x keeps a single close handler per response and Quarkus REST installs its own, so the connection
 * state is polled instead (a flag read every {@link #PERIOD}). The watch ends by itself once the response has
 * ended, so a caller that cannot close it (a non-streamed answer) may leave it be.
 */
public final class ClientWatch implements AutoCloseable {
    static final Duration PERIOD = Duration.ofMillis(100);
    /** The period once chunks are flowing: a write to a closed connection fails at once and cancels by itself. */
    static final Duration RELAXED_PERIOD = Duration.ofSeconds(1);

    private final Thread thread;
    private volatile boolean stopped;
    private volatile Duration period = PERIOD;

    private ClientWatch(HttpServerResponse http, CancelToken cancel, Runnable ended) {
        thread = Thread.ofVirtual().name("client-watch").start(() -> {
            while (!stopped && !http.ended()) {
                if (http.closed()) {
                    cancel.cancel();
                    return;
                }
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!stopped) ended.run();
        });
    }

    /**
     * The answer is streaming: each chunk written notices a client that left, so the watch only has to cover a
     * stream that goes quiet (a held-back tool call) and polls once a second instead of ten times: during a
     * generation every wake-up of this thread takes a core from llama.cpp.
     */
    public void relax() {
        period = RELAXED_PERIOD;
    }

    public static ClientWatch start(HttpServerResponse http, CancelToken cancel) {
        return start(http, cancel, () -> {});
    }

    /**
     * A watch that also runs {@code ended} if the response ends before the watch is closed: an answer that never
     * reached the code that would have closed it (its body was never written), so that what the request still holds
     * can be let go.
     */
    public static ClientWatch start(HttpServerResponse http, CancelToken cancel, Runnable ended) {
        return http == null ? new ClientWatch() : new ClientWatch(http, cancel, ended);
    }

    private ClientWatch() {
        thread = null;
        stopped = true;
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) thread.interrupt();
    }
}
