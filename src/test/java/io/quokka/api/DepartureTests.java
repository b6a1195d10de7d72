package io.quokka.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.Scheduler;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that leave at every moment of a request, on the real engine: whatever they held is freed (see
 * {@link Departures} for the moments and the checks after each batch). A subclass sets the slot count through its
 * Quarkus profile ({@link Departures#settings}) and says it here; each prints its counts and figures.
 */
abstract class DepartureTests {
    @TestHTTPResource("/")
    URI base;
    @Inject
    Scheduler scheduler;
    @Inject
    GenerationService service;
    Departures departures;

    /** {@code OLLAMA_NUM_PARALLEL} of the subclass's profile. */
    abstract int slots();

    /** The seed of its random moments, so a failure can be replayed. */
    abstract long seed();

    @BeforeEach
    void departures() {
        departures = new Departures(base, slots(), scheduler, service);
    }

    @AfterEach
    void report() {
        System.out.println(departures.report());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void clientsThatLeaveAtEachMomentOnEachEndpointFreeEverythingTheyHeld() throws Exception {
        DepartureMatrix.everyMoment(departures, new Random(seed()));
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void twoHundredClientsThatLeaveAtRandomMomentsFreeEverythingTheyHeld() throws Exception {
        DepartureMatrix.atRandom(departures, new Random(seed() + 1), 200);
    }
}
