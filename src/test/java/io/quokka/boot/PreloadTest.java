package io.quokka.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OLLAMA_PRELOAD_MODELS: the first model is loaded at start-up and stays resident; a missing one is a reason. */
@QuarkusTest
@TestProfile(PreloadTest.Profile.class)
@QuarkusTestResource(TestStoreAccess.Resource.class)
class PreloadTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.preload-models", "plain/q4:small, toy");
        }
    }

    @Inject
    Preloader preloader;

    @Test
    void theFirstModelIsResidentForeverAndTheOthersAreChecked() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (preloader.preload().state() == PreloadStatus.State.LOADING && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(PreloadStatus.State.READY, preloader.preload().state(), String.valueOf(preloader.preload()));
        given().get("/q/health/ready").then().statusCode(200);
        String expires = given().get("/api/ps").then().statusCode(200)
                .body("models", hasSize(1)).body("models[0].name", equalTo("plain/q4:small"))
                .extract().jsonPath().getString("models[0].expires_at");
        assertTrue(OffsetDateTime.parse(expires).isAfter(OffsetDateTime.now().plusYears(100)), expires);
        // A request without keep_alive does not shorten the preloaded model's stay.
        given().body("{\"model\":\"plain/q4:small\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}")
                .post("/api/generate").then().statusCode(200);
        expires = given().get("/api/ps").then().extract().jsonPath().getString("models[0].expires_at");
        assertTrue(OffsetDateTime.parse(expires).isAfter(OffsetDateTime.now().plusYears(100)), expires);
        // Nor does an embedding request: generation and embeddings place a model by one rule.
        given().body("{\"model\":\"plain/q4:small\",\"input\":\"hi\"}").post("/api/embed").then().statusCode(200);
        given().get("/api/ps").then().body("models", hasSize(1));
        expires = given().get("/api/ps").then().extract().jsonPath().getString("models[0].expires_at");
        assertTrue(OffsetDateTime.parse(expires).isAfter(OffsetDateTime.now().plusYears(100)), expires);
    }

    @Test
    void namesAreParsedLikeTheFile() {
        assertEquals(java.util.List.of("a", "b:1", "ns/c"),
                Preloader.parse(java.util.List.of("# models", "a", "  b:1  # pinned", "", "ns/c", "a")));
    }
}
