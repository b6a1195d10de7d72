package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The read-only endpoints, against a store laid out as Ollama writes it. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class ModelsApiTest {

    @Test
    void rootAnswersLikeOllama() {
        given().get("/").then().statusCode(200).body(equalTo("Ollama is running"));
        given().head("/").then().statusCode(200);
        given().get("/api/version").then().statusCode(200).body("version", matchesPattern("\\d+\\.\\d+\\.\\d+"));
    }

    @Test
    void tagsListsEveryModelWithOllamasFields() {
        given().get("/api/tags").then().statusCode(200)
                .body("models.name", hasItems("toy:latest", "plain/q4:small", "broken:latest"))
                .body("models.find { it.name == 'toy:latest' }.model", equalTo("toy:latest"))
                .body("models.find { it.name == 'toy:latest' }.size", greaterThan(100_000))
                .body("models.find { it.name == 'toy:latest' }.digest", matchesPattern("[0-9a-f]{64}"))
                .body("models.find { it.name == 'toy:latest' }.modified_at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*"))
                .body("models.find { it.name == 'toy:latest' }.details.format", equalTo("gguf"))
                .body("models.find { it.name == 'toy:latest' }.details.family", equalTo("llama"))
                .body("models.find { it.name == 'toy:latest' }.details.families", hasItem("llama"))
                .body("models.find { it.name == 'toy:latest' }.details.quantization_level", equalTo("Q8_0"))
                .body("models.find { it.name == 'toy:latest' }.details.parameter_size", not(equalTo("")));
    }

    @Test
    void showReportsLayersAndGgufMetadata() {
        given().body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200)
                .body("template", containsString(".Messages"))
                .body("parameters", containsString("stop"))
                .body("modelfile", containsString("FROM "))
                .body("details.quantization_level", equalTo("Q8_0"))
                .body("model_info.'general.architecture'", equalTo("llama"))
                .body("model_info.'llama.context_length'", equalTo(2048))
                .body("model_info.'llama.block_count'", equalTo(2))
                .body("model_info", hasKey("general.parameter_count"))
                .body("model_info", not(hasKey("tokenizer.chat_template")))
                .body("model_info.'tokenizer.ggml.tokens'.size()", equalTo(0))
                .body("capabilities", hasItem("completion"))
                .body("modified_at", matchesPattern("\\d{4}-.*"));
        given().body("{\"model\":\"toy\",\"verbose\":true}").post("/api/show").then().statusCode(200)
                .body("model_info.'tokenizer.ggml.tokens'.size()", equalTo(512));
        // The deprecated "name" field still works, and names are case-insensitive.
        given().body("{\"name\":\"PLAIN/Q4:SMALL\"}").post("/api/show").then().statusCode(200)
                .body("system", equalTo("You are a quokka."))
                .body("details.quantization_level", equalTo("Q4_0"));
    }

    @Test
    void showErrors() {
        given().body("{\"model\":\"nope\"}").post("/api/show").then().statusCode(404)
                .body("error", equalTo("model 'nope' not found"));
        given().body("{\"model\":\"../../etc/passwd\"}").post("/api/show").then().statusCode(400)
                .body("error", containsString("invalid model name"));
        given().body("{}").post("/api/show").then().statusCode(400).body("error", equalTo("model is required"));
        given().post("/api/show").then().statusCode(400).body("error", equalTo("missing request body"));
        given().body("{\"model\":").post("/api/show").then().statusCode(400).body("error", not(equalTo("")));
        given().body("{\"model\":\"broken\"}").post("/api/show").then().statusCode(500)
                .body("error", containsString("GGUF"));
    }

    @Test
    void acceptHeadersAreIgnoredAsOllamaDoes() {
        given().accept("application/x-ndjson").get("/api/tags").then().statusCode(200)
                .contentType(containsString("application/json")).body("models.name", hasItem("toy:latest"));
        given().accept("text/plain").body("{\"model\":\"toy\"}").post("/api/show").then().statusCode(200);
        given().accept("application/json").get("/api/ps").then().statusCode(200);
        given().accept("text/html").get("/v1/models").then().statusCode(200);
        given().accept("application/json").body("{\"model\":\"toy\",\"prompt\":\"hi\",\"options\":{\"num_predict\":1}}")
                .post("/api/generate").then().statusCode(200).contentType(containsString("application/x-ndjson"));
    }

    @Test
    void psIsEmptyOrListsResidentModelsWithoutLoadingAny() {
        given().get("/api/ps").then().statusCode(200).body("models", not(equalTo(null)));
    }
}
