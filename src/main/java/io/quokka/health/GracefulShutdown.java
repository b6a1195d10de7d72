package io.quokka.health;

import io.quarkus.runtime.ShutdownEvent;
import io.quokka.config.OperationsConfig;
import io.quokka.generation.GenerationService;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * On SIGTERM/SIGINT: refuse new generations (503), let those in flight finish within {@code quokka.shutdown-grace},
 * cancel the rest (their streams end with an {@code {"error"}} line). The scheduler is closed afterwards with the
 * other beans, which ends the runner.
 */
@Singleton
public class GracefulShutdown {
    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);
    /** How long cancelled generations get to write their last line. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(5);

    private final GenerationService service;
    private final Duration grace;

    GracefulShutdown(GenerationService service, OperationsConfig config) {
        this.service = service;
        this.grace = config.shutdownGrace();
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        int running = service.inFlight().size();
        if (running > 0) LOG.infof("shutting down: waiting up to %s for %d generation(s)", grace, running);
        int cancelled = service.drain(grace, CANCEL_WAIT);
        if (cancelled > 0) LOG.infof("shutting down: cancelled %d request(s) still running after %s", cancelled, grace);
    }
}
