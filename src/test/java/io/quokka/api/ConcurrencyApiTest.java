package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 40 clients at once on two models: every request is answered, and each by the model it named (greedy output is
 * deterministic, so each answer must equal what that model says when asked alone).
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class ConcurrencyApiTest {
    static final List<String> MODELS = List.of("toy", "plain/q4:small");

    static String ask(String model) {
        return given().body(GenerateApiTest.greedy(model, "Who are you?", 6)).post("/api/generate").then()
                .statusCode(200).extract().jsonPath().getString("response");
    }

    @Test
    void fortyClientsOnTwoModelsAreAllAnsweredByTheRightModel() throws Exception {
        Map<String, String> expected = Map.of(MODELS.get(0), ask(MODELS.get(0)), MODELS.get(1), ask(MODELS.get(1)));
        List<Future<String>> answers = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 40; i++) {
                String model = MODELS.get(i % 2 == 0 || i % 7 == 0 ? 0 : 1);
                asked.add(model);
                answers.add(clients.submit(() -> ask(model)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(expected.get(asked.get(i)), answers.get(i).get(), "request " + i + " for " + asked.get(i));
            }
        }
    }
}
