package io.quokka.health;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quokka.config.OperationsConfig;
import io.quokka.generation.GenerationService;
import io.quokka.generation.InFlight;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Finds generations that made no progress for {@code quokka.watchdog}: liveness reports them, and a periodic sweep
 * ends their runner so the request fails and the next one starts a fresh runner.
 */
@Singleton
public class Watchdog {
    private static final Logger LOG = Logger.getLogger(Watchdog.class);

    private final GenerationService service;
    private final Duration limit;
    private ScheduledExecutorService sweeper;

    Watchdog(GenerationService service, OperationsConfig config) {
        this.service = service;
        this.limit = config.watchdog();
    }

    Duration limit() {
        return limit;
    }

    int inFlight() {
        return service.inFlight().size();
    }

    /** The generation stalled longest past the limit, if any. */
    Optional<InFlight> wedged() {
        return service.inFlight().stream().filter(g -> g.nanosSinceProgress() > limit.toNanos())
                .max(Comparator.comparingLong(InFlight::nanosSinceProgress));
    }

    void start(@Observes StartupEvent event) {
        long period = Math.clamp(limit.toMillis() / 4, 50, 10_000);
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("watchdog").factory());
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweeper != null) sweeper.shutdownNow();
    }

    private void sweep() {
        try {
            for (InFlight g : service.inFlight()) {
                if (g.nanosSinceProgress() > limit.toNanos()) {
                    LOG.warnf("generation on %s made no progress for %d s (watchdog %s): ending its runner", g.model(),
                            g.nanosSinceProgress() / 1_000_000_000L, limit);
                    g.abort();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("watchdog sweep failed", e);
        }
    }
}
