package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.Scheduler;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that leave at every moment of a request, on the real engine, with one slot ({@code OLLAMA_NUM_PARALLEL=1}):
 * whatever they held is freed (see {@link Departures} for the moments and the checks after each batch).
 */
@QuarkusTest
@TestProfile(DepartureApiTest.OneSlot.class)
@QuarkusTestResource(TestStore.class)
class DepartureApiTest {
    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Departures.settings(1);
        }
    }

    @TestHTTPResource("/")
    URI base;
    @Inject
    Scheduler scheduler;
    @Inject
    GenerationService service;
    Departures departures;

    @BeforeEach
    void departures() {
        departures = new Departures(base, 1, scheduler, service);
    }

    @AfterEach
    void report() {
        System.out.println(departures.report());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void clientsThatLeaveAtEachMomentOnEachEndpointFreeEverythingTheyHeld() throws Exception {
        DepartureMatrix.everyMoment(departures, new Random(17));
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void twoHundredClientsThatLeaveAtRandomMomentsFreeEverythingTheyHeld() throws Exception {
        DepartureMatrix.atRandom(departures, new Random(18), 200);
    }
}
