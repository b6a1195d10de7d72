package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Polls are not activity: probes, metrics, {@code /}, {@code /api/version}, {@code /api/tags} and {@code /api/ps}
 * every 200 ms neither keep a model with {@code keep_alive: "2s"} resident past its time nor load anything.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class PollsApiTest {
    static final List<String> POLLS = List.of("/", "/api/version", "/api/tags", "/api/ps", "/q/health",
            "/q/health/live", "/q/health/ready", "/q/health/started", "/health", "/q/metrics", "/metrics");

    static int resident() {
        return given().get("/api/ps").then().statusCode(200).extract().jsonPath().getList("models").size();
    }

    @Test
    void aModelExpiresOnTimeWhileEverythingIsPolledEvery200Ms() throws Exception {
        // Whatever an earlier test class left resident is unloaded first (an unload-only request loads nothing).
        for (String name : given().get("/api/ps").then().extract().jsonPath().<String>getList("models.name")) {
            given().body("{\"model\":\"" + name + "\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        }
        for (int i = 0; i < 3; i++) {
            for (String path : POLLS) given().get(path).then().statusCode(200);
        }
        assertEquals(0, resident(), "polls load nothing");

        given().body("""
                {"model":"toy","prompt":"hi","stream":false,"keep_alive":"2s","options":{"num_predict":2}}""")
                .post("/api/generate").then().statusCode(200);
        long released = System.nanoTime();
        assertEquals(1, resident());

        long goneAfterMs = -1;
        while (System.nanoTime() - released < 6_000_000_000L) {
            for (String path : POLLS) given().get(path).then().statusCode(200);
            if (resident() == 0) {
                goneAfterMs = (System.nanoTime() - released) / 1_000_000;
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(goneAfterMs >= 1_800, "not before its keep-alive: " + goneAfterMs + " ms");
        assertTrue(goneAfterMs > 0 && goneAfterMs < 3_500, "unloaded on time despite the polls: " + goneAfterMs + " ms");
        String metrics = Prometheus.scrape();
        assertTrue(Prometheus.value(metrics, "quokka_model_unloads_total",
                java.util.Map.of("model", "toy:latest", "reason", "expired")) >= 1, "counted as expired");
    }
}
