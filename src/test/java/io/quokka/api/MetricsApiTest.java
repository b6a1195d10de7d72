package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quokka's Prometheus meters move exactly with the generations they count. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class MetricsApiTest {
    @TestHTTPResource("/")
    URI base;

    static final Map<String, String> TOY = Map.of("model", "toy:latest");

    @Test
    void aGenerationMovesTheTokenCountersByItsCountsAndTheFirstTokenHistogramByOne() {
        // Loaded first, so the measured generation is the only thing that happens in between.
        given().body("{\"model\":\"toy\"}").post("/api/generate").then().statusCode(200);
        String before = Prometheus.scrape();

        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", """
                {"model":"toy","prompt":"Count the stars","options":{"temperature":0,"num_predict":17}}""");
        JsonNode last = null;
        while (stream.hasNext()) last = stream.next();
        assertTrue(last != null && last.get("done").asBoolean());
        int evalCount = last.get("eval_count").asInt();
        int promptCount = last.get("prompt_eval_count").asInt();
        assertEquals(17, evalCount);

        String after = Prometheus.scrape();
        assertEquals(evalCount, delta(before, after, "quokka_generated_tokens_total", TOY));
        assertEquals(promptCount, delta(before, after, "quokka_prompt_tokens_total", TOY));
        assertEquals(1, delta(before, after, "quokka_time_to_first_token_seconds_count", TOY));
        assertEquals(1, delta(before, after, "quokka_generation_tokens_per_second_count", TOY));
        assertEquals(1, delta(before, after, "quokka_requests_total",
                Map.of("model", "toy:latest", "endpoint", "generate", "outcome", "length")));
        assertEquals(0, delta(before, after, "quokka_model_loads_total", TOY));
    }

    @Test
    void loadsErrorsAndGaugesAreExposedUnderBothPaths() {
        given().body("{\"model\":\"toy\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        String before = Prometheus.scrape();
        given().body(GenerateApiTest.greedy("toy", "hi", 2)).post("/api/generate").then().statusCode(200);
        given().body("{\"model\":\"toy\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        String after = Prometheus.scrape();
        assertEquals(1, delta(before, after, "quokka_model_loads_total", Map.of("model", "toy:latest", "outcome", "success")));
        assertEquals(1, delta(before, after, "quokka_model_load_seconds_count", TOY));
        assertEquals(1, delta(before, after, "quokka_model_unloads_total",
                Map.of("model", "toy:latest", "reason", "requested")));
        assertEquals(0, Prometheus.value(after, "quokka_model_resident", TOY));

        String plain = given().get("/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("quokka_queue_depth", "quokka_requests_in_flight", "quokka_model_resident",
                "quokka_process_resident_memory_bytes", "quokka_model_load_seconds_bucket",
                "quokka_time_to_first_token_seconds_bucket", "quokka_generation_tokens_per_second_bucket",
                "http_server_requests_seconds_count")) {
            assertTrue(plain.contains(name), name + " in /metrics");
            assertTrue(after.contains(name), name + " in /q/metrics");
        }
        assertTrue(Prometheus.value(after, "quokka_process_resident_memory_bytes", Map.of("process", "server")) > 1e6);
    }

    private static double delta(String before, String after, String name, Map<String, String> labels) {
        return Prometheus.value(after, name, labels) - Prometheus.value(before, name, labels);
    }
}
