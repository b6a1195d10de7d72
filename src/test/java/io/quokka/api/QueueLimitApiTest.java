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
@QuarkusTestResource(FallbackUpstreams.class)
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
        // "crowded": a copy of plain/q4:small whose fallback chain (FallbackUpstreams) applies when the queue is full.
        given().body("{\"source\":\"plain/q4:small\",\"destination\":\"crowded\"}").post("/api/copy").then()
                .statusCode(200);
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
            // A model whose fallback chain says on-busy is answered by its next step instead (an upstream here),
            // streamed and not; a request that opts out gets the 503.
            given().body(GenerateApiTest.greedy("crowded", "hi", 2)).post("/api/generate").then().statusCode(200)
                    .header("X-Quokka-Fallback", "llama3.2; reason=busy; from=crowded")
                    .body("model", equalTo("llama3.2")).body("response", equalTo("Hello from the upstream"));
            given().body("{\"model\":\"crowded\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .post("/api/chat").then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("\"model\":\"llama3.2\""))
                    .body(org.hamcrest.Matchers.containsString("\"done\":true"));
            given().header("X-Quokka-No-Fallback", "true").body(GenerateApiTest.greedy("crowded", "hi", 2))
                    .post("/api/generate").then().statusCode(503);
        }
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            assertEquals(200, w.get(120, TimeUnit.SECONDS).statusCode());
        }
        // The copy leaves with the test: other classes list the shared store's models exactly.
        given().body("{\"model\":\"crowded\"}").delete("/api/delete").then().statusCode(200);
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient http, String body) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve("api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
