package io.quokka.api.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.TestStore;
import io.quokka.generation.GenerationService;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * While the server drains for a graceful shutdown, {@code /v1} refuses new work with the 503 and message the native
 * endpoints give, in OpenAI's error shape. A profile of its own: the drain cannot be undone, so this server is not
 * shared with other classes.
 */
@QuarkusTest
@TestProfile(OpenAiShutdownApiTest.Draining.class)
@QuarkusTestResource(TestStore.class)
class OpenAiShutdownApiTest {
    /** No overrides: only a server of its own. */
    public static class Draining implements QuarkusTestProfile {}

    static final String MESSAGE = "server is shutting down";

    @Inject
    GenerationService service;

    @BeforeEach
    void drain() {
        service.drain(Duration.ZERO, Duration.ZERO); // nothing in flight: it only starts refusing
    }

    @Test
    void theNativeEndpointsGiveA503() {
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"stream\":false}").post("/api/generate").then()
                .statusCode(503).body("error", equalTo(MESSAGE));
        given().body("{\"model\":\"toy\",\"input\":\"hi\"}").post("/api/embed").then()
                .statusCode(503).body("error", equalTo(MESSAGE));
    }

    @Test
    void chatCompletionsGiveA503InOpenAisShape() {
        for (String stream : new String[] {"false", "true"}) {
            refused("/v1/chat/completions", """
                    {"model":"toy","messages":[{"role":"user","content":"hi"}],"stream":%s}""".formatted(stream));
        }
    }

    @Test
    void completionsGiveA503InOpenAisShape() {
        for (String stream : new String[] {"false", "true"}) {
            refused("/v1/completions", """
                    {"model":"toy","prompt":"hi","stream":%s}""".formatted(stream));
        }
    }

    @Test
    void embeddingsGiveA503InOpenAisShape() {
        refused("/v1/embeddings", "{\"model\":\"toy\",\"input\":\"hi\"}");
    }

    private static void refused(String path, String body) {
        given().body(body).post(path).then().statusCode(503)
                .contentType("application/json")
                .body("error.message", equalTo(MESSAGE))
                .body("error.type", equalTo("api_error"))
                .body("error.param", nullValue())
                .body("error.code", nullValue())
                .body("error.size()", equalTo(4));
    }
}
