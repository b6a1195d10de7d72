package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness, readiness, startup and llama-server's {@code /health} on the real engine, with readiness following a
 * preload of a slow-loading (~100 MB) generated model, and one that fails; streamed answers send their headers
 * before the model has loaded.
 */
@QuarkusTest
@TestProfile(HealthApiTest.DrivenPreload.class)
@QuarkusTestResource(TestStore.class)
class HealthApiTest {
    /** The test drives preloads through {@link TestPreloader} instead of configuring the real one. */
    public static class DrivenPreload implements QuarkusTestProfile {
        @Override
        public java.util.Set<Class<?>> getEnabledAlternatives() {
            return java.util.Set.of(TestPreloader.class);
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    TestPreloader preloader;

    @AfterEach
    void unloadAndForgetPreload() {
        preloader.reset();
        given().body("{\"model\":\"" + BigModel.NAME + "\",\"keep_alive\":0}").post("/api/generate");
    }

    static JsonPath ready(int status) {
        return given().get("/q/health/ready").then().statusCode(status).extract().jsonPath();
    }

    @Test
    void withoutPreloadEveryProbeIsUp() {
        JsonPath r = ready(200);
        assertEquals("UP", r.getString("status"));
        assertEquals(0, r.getInt("checks[0].data.queue_depth"));
        assertEquals(0, r.getInt("checks[0].data.slots_busy"));
        assertEquals("none", r.getString("checks[0].data.preload"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks[0].data.in_flight", equalTo(0));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health").then().statusCode(200).body("checks.name", hasItem("quokka"));
        given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void readinessWaitsForASlowPreloadThenShowsTheResidentModel() throws Exception {
        String big = BigModel.install();
        CompletableFuture<Void> preload = preloader.start(big);
        // A runner spawn alone takes a few hundred milliseconds, and this model ~100 MB on top.
        JsonPath loading = ready(503);
        assertEquals("DOWN", loading.getString("status"));
        assertTrue(loading.getString("checks[0].data.reason").contains("loading model big"), loading.prettify());
        given().get("/health").then().statusCode(503).body("status", equalTo("loading model"));
        given().get("/q/health/live").then().statusCode(200);

        // Every answer during the load is DOWN, and UP only together with the preload's READY.
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!preload.isDone() && System.nanoTime() < deadline) {
            var r = given().get("/q/health/ready").then().extract();
            seen.add(r.statusCode() + " " + r.jsonPath().getString("checks[0].data.preload"));
            Thread.sleep(50);
        }
        preload.get(1, TimeUnit.SECONDS);
        assertTrue(seen.stream().allMatch(s -> s.equals("503 loading") || s.equals("503 pending")
                || s.equals("200 ready")), "DOWN all through the load: " + seen);
        assertTrue(seen.contains("503 loading"), seen.toString());

        JsonPath up = ready(200);
        assertEquals("big:latest", up.getString("checks[0].data.resident_model"));
        assertEquals("ready", up.getString("checks[0].data.preload"));
        given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void aFailedPreloadKeepsReadinessDownWithTheReason() throws Exception {
        preloader.start("broken").get(60, TimeUnit.SECONDS);
        JsonPath r = ready(503);
        assertEquals("failed", r.getString("checks[0].data.preload"));
        assertTrue(r.getString("checks[0].data.reason").startsWith("preload failed: "), r.prettify());
        given().get("/health").then().statusCode(503).body("status", equalTo("error"))
                .body("error", containsString("preload failed"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aStreamedRequestGetsItsHeadersWhileTheModelIsStillLoading() {
        String big = BigModel.install();
        long start = System.nanoTime();
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", """
                {"model":"%s","prompt":"Hello","options":{"num_predict":3}}""".formatted(big));
        long headersMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, stream.response().statusCode());
        assertEquals("application/x-ndjson", stream.contentType());
        var first = stream.next();
        assertEquals("", first.get("response").asText(), "an empty chunk commits the headers: " + first);
        assertFalse(first.get("done").asBoolean());
        var last = first;
        while (stream.hasNext()) last = stream.next();
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(last.get("done").asBoolean(), last.toString());
        assertEquals(3, last.get("eval_count").asInt());
        long loadMs = last.get("load_duration").asLong() / 1_000_000;
        assertTrue(headersMs < loadMs, "headers after " + headersMs + " ms, while the load took " + loadMs + " ms");
        System.out.printf("big model streamed: headers after %d ms, load %d ms, done after %d ms%n", headersMs, loadMs, firstMs);
    }
}
