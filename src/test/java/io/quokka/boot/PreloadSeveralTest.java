package io.quokka.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.hasSize;
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
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code OLLAMA_MAX_LOADED_MODELS=2}, the first two preload models are both loaded at start-up and stay resident;
 * the third is only checked.
 */
@QuarkusTest
@TestProfile(PreloadSeveralTest.Profile.class)
@QuarkusTestResource(TestStoreAccess.Resource.class)
class PreloadSeveralTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.preload-models", "toy, plain/q4:small, thinker",
                    "quokka.max-loaded-models", "2");
        }
    }

    @Inject
    Preloader preloader;

    @Test
    void theFirstMaxLoadedModelsAreResidentForever() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (preloader.preload().state() == PreloadStatus.State.LOADING && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(PreloadStatus.State.READY, preloader.preload().state(), String.valueOf(preloader.preload()));
        var ps = given().get("/api/ps").then().statusCode(200).body("models", hasSize(2))
                .body("models.name", containsInAnyOrder("toy:latest", "plain/q4:small")).extract().jsonPath();
        List<String> expiries = ps.getList("models.expires_at");
        for (String expires : expiries) {
            assertTrue(OffsetDateTime.parse(expires).isAfter(OffsetDateTime.now().plusYears(100)), expires);
        }
    }
}
