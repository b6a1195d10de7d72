package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code OLLAMA_MAX_QUEUE}: with the model busy, requests for another model wait; one more than the queue allows
 * gets Ollama's 503, and the waiting ones are served once the model is free.
 */
@QuarkusTest
@TestProfile(QueueLimitApiTest.SmallQueue.class)
@QuarkusTestResource(TestStore.class)
class QueueLimitApiTest {
    public static class SmallQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.max-queue", "2");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void oneRequestMoreThanTheQueueAllowsGets503() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        CancellationApiTest raw = new CancellationApiTest();
        raw.base = base;
        String waiter = GenerateApiTest.greedy("plain/q4:small", "hi", 2);
        List<CompletableFuture<HttpResponse<String>>> waiting;
        try (Socket busy = raw.send("/api/generate", CancellationApiTest.ENDLESS.formatted("true"))) {
            CancellationApiTest.readLines(busy, 3);
            waiting = List.of(send(http, waiter), send(http, waiter));
            Thread.sleep(1000);
            given().body(waiter).post("/api/generate").then().statusCode(503)
                    .body("error", equalTo("server busy, please try again.  maximum pending requests exceeded"));
        }
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            assertEquals(200, w.get(120, TimeUnit.SECONDS).statusCode());
        }
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient http, String body) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve("api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
