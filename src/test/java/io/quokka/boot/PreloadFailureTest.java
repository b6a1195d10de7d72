package io.quokka.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.TestStoreAccess;
import io.quokka.scheduler.PreloadStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A missing preload model is a recorded reason and a log line; the server keeps serving. */
@QuarkusTest
@TestProfile(PreloadFailureTest.Profile.class)
@QuarkusTestResource(TestStoreAccess.Resource.class)
class PreloadFailureTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.preload-models", "no-such-model");
        }
    }

    @Inject
    Preloader preloader;

    @Test
    void aMissingModelFailsThePreloadWithAReason() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (preloader.preload().state() == PreloadStatus.State.LOADING && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(PreloadStatus.State.FAILED, preloader.preload().state());
        assertTrue(preloader.preload().reason().contains("model 'no-such-model' not found"), preloader.preload().reason());
        io.restassured.RestAssured.given().get("/api/tags").then().statusCode(200);
        // Readiness reports the real preloader's failure and its reason.
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(503)
                .body(org.hamcrest.Matchers.containsString("no-such-model"));
    }
}
