package io.quokka.health;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quokka.config.OperationsConfig;
import io.quokka.generation.GenerationService;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Graceful shutdown. On SIGTERM/SIGINT (what Fly and Kubernetes send), while the HTTP server still listens: refuse
 * new generations (503 {@code {"error":"server is shutting down"}}), let those in flight finish within
 * {@code quokka.shutdown-grace}, cancel the rest (a stream then ends with an {@code {"error"}} line); then stop
 * Quarkus with exit status 0, which closes the scheduler and so ends the runner. A shutdown that starts some other
 * way (a JVM shutdown hook, a test) drains at {@link ShutdownEvent} instead.
 */
@Singleton
public class GracefulShutdown {
    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);
    /** How long cancelled generations get to write their last line. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(5);

    private final GenerationService service;
    private final Duration grace;
    private final AtomicBoolean signalled = new AtomicBoolean();

    GracefulShutdown(GenerationService service, OperationsConfig config) {
        this.service = service;
        this.grace = config.shutdownGrace();
    }

    void installSignalHandlers(@Observes StartupEvent event) {
        // Only in a real server: a test JVM keeps its own signal handling.
        if (LaunchMode.current() != LaunchMode.NORMAL) return;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), this::onSignal);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debugf("cannot handle SIG%s here: %s", name, e.getMessage());
            }
        }
    }

    private void onSignal(Signal signal) {
        if (!signalled.compareAndSet(false, true)) {
            LOG.infof("SIG%s again: already shutting down", signal.getName());
            return;
        }
        Thread.ofPlatform().name("graceful-shutdown").start(() -> {
            LOG.infof("SIG%s: shutting down", signal.getName());
            drain();
            Quarkus.asyncExit(0);
        });
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        drain();
    }

    private void drain() {
        int running = service.inFlight().size();
        if (running > 0) LOG.infof("shutting down: waiting up to %s for %d generation(s)", grace, running);
        int cancelled = service.drain(grace, CANCEL_WAIT);
        if (cancelled > 0) LOG.infof("shutting down: cancelled %d request(s) still running after %s", cancelled, grace);
    }
}
