package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Model aliases from a file and {@code QUOKKA_ALIASES} ({@code quokka.aliases}) over the {@link TestStore}: listed,
 * shown, served under the name the client used, one step only, never over a real model.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@TestProfile(AliasApiTest.WithAliases.class)
class AliasApiTest {

    public static class WithAliases implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("quokka-aliases-", ".txt");
                Files.writeString(file, """
                        # what clients insist on -> what the store has
                        gpt-4o-mini = plain/q4:small   # overridden by QUOKKA_ALIASES
                        text-embedding-3-small = toy
                        toy = plain/q4:small           # a real model's name: the model wins
                        chain = gpt-4o-mini            # an alias of an alias: dropped
                        ghost = not-pulled-yet         # target missing: not listed, 404
                        this line has no equals sign
                        """);
                file.toFile().deleteOnExit();
                return Map.of("quokka.aliases-file", file.toString(),
                        "quokka.aliases", "gpt-4o-mini=toy,claude-3-haiku=plain/q4:small");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static JsonPath tags() {
        return given().get("/api/tags").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aliasesAreListedLikeCopiesOfTheirTarget() {
        JsonPath tags = tags();
        List<String> names = tags.getList("models.name");
        assertTrue(names.containsAll(List.of("toy:latest", "plain/q4:small", "broken:latest", "gpt-4o-mini",
                "text-embedding-3-small", "claude-3-haiku")), names.toString());
        assertEquals(7, names.stream().filter(n -> !n.equals("big:latest")).count(),
                "chain and ghost are not listed, toy only once: " + names);
        Map<String, Object> toy = tags.getMap("models.find { it.name == 'toy:latest' }");
        Map<String, Object> alias = tags.getMap("models.find { it.name == 'gpt-4o-mini' }");
        assertEquals("gpt-4o-mini", alias.get("model"));
        for (String field : List.of("digest", "size", "modified_at", "details")) {
            assertEquals(toy.get(field), alias.get(field), field);
        }
        assertEquals(tags.getString("models.find { it.name == 'plain/q4:small' }.digest"),
                tags.getString("models.find { it.name == 'claude-3-haiku' }.digest"));

        given().get("/v1/models").then().statusCode(200)
                .body("data.id", hasItems("gpt-4o-mini", "claude-3-haiku", "text-embedding-3-small", "toy:latest"))
                .body("data.id", not(hasItems("chain")))
                .body("data.findAll { it.id != 'big:latest' }.size()", equalTo(7));
        given().get("/v1/models/gpt-4o-mini").then().statusCode(200).body("id", equalTo("gpt-4o-mini"));
        given().get("/v1/models/chain").then().statusCode(404);
    }

    @Test
    void showOfAnAliasShowsItsTarget() {
        JsonPath toy = given().body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200).extract().jsonPath();
        JsonPath alias = given().body("{\"model\":\"GPT-4o-mini:latest\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(toy.getString("template"), alias.getString("template"));
        assertEquals(toy.getMap("details"), alias.getMap("details"));
        assertEquals(toy.getString("modelfile"), alias.getString("modelfile"));
        given().body("{\"model\":\"ghost\"}").post("/api/show").then().statusCode(404)
                .body("error", equalTo("model 'ghost' not found"));
    }

    @Test
    void aRealModelWinsOverAnAliasOfTheSameName() {
        String toyDigest = tags().getString("models.find { it.name == 'toy:latest' }.digest");
        String plainDigest = tags().getString("models.find { it.name == 'plain/q4:small' }.digest");
        assertTrue(!toyDigest.equals(plainDigest));
        given().body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200)
                .body("details.quantization_level", equalTo("Q8_0"));
    }

    @Test
    void generationEchoesTheNameTheClientUsed() {
        given().body("{\"model\":\"gpt-4o-mini\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/generate").then().statusCode(200)
                .body("model", equalTo("gpt-4o-mini")).body("done", equalTo(true));
        given().body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream\":false,\"options\":{\"num_predict\":3}}")
                .post("/api/chat").then().statusCode(200)
                .body("model", equalTo("gpt-4o-mini")).body("message.role", equalTo("assistant"));
        given().body("{\"model\":\"gpt-4o-mini\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).body("model", equalTo("gpt-4o-mini"));
        given().body("{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").post("/api/embed").then()
                .statusCode(200).body("model", equalTo("text-embedding-3-small")).body("embeddings.size()", equalTo(1));
        given().body("{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}").post("/v1/embeddings").then()
                .statusCode(200).body("model", equalTo("text-embedding-3-small"));
        // The alias and its target share one runner: /api/ps names the model that is loaded.
        given().get("/api/ps").then().statusCode(200).body("models.name", hasItems("toy:latest"))
                .body("models.size()", equalTo(1));
    }

    @Test
    void oneStepOnlyAndMissingTargetsAreNotFound() {
        for (String name : List.of("chain", "ghost")) {
            given().body("{\"model\":\"" + name + "\",\"prompt\":\"hi\",\"stream\":false}").post("/api/generate")
                    .then().statusCode(404).body("error", equalTo("model '" + name + "' not found"));
        }
        given().body("{\"model\":\"chain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(404).body("error.type", equalTo("not_found_error"));
    }
}
