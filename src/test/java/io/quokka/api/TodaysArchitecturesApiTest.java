package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.engine.Engine;
import io.quokka.runner.client.RunnerEngine;
import io.quokka.store.ModelConfig;
import io.quokka.store.ModelName;
import io.quokka.store.StoreWriter;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Architectures of the last year, generated (qwen3: llama's tensors plus per-head q/k norms; qwen3moe: experts and a
 * router), through the API: on llama.cpp v0.5.0 they load, generate, chat with tools, embed, show their capabilities
 * and their memory estimate; on b4916 (a machine without the current engine) each request is a 500 naming the
 * architecture and the engine, answered before any runner starts.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class TodaysArchitecturesApiTest {
    static final List<String> NAMES = List.of("qwen3:toy", "qwen3moe:toy");

    @Inject
    Engine engine;

    @BeforeAll
    static void install() throws Exception {
        StoreWriter writer = new StoreWriter(TestStore.root, true);
        install(writer, "qwen3:toy", "qwen3", ToyModelSpec.tiny().withName("qwen3-toy").withArchitecture("qwen3").withSeed(21));
        install(writer, "qwen3moe:toy", "qwen3moe",
                ToyModelSpec.tiny().withName("qwen3moe-toy").withArchitecture("qwen3moe").withSeed(22));
    }

    /** With the qwen-style template of thinking and {@code <tool_call>} tags, as Ollama's qwen3 models have. */
    private static void install(StoreWriter writer, String name, String arch, ToyModelSpec spec) throws Exception {
        Path gguf = Files.createTempFile("today-", ".gguf");
        try {
            ToyModel.write(spec, gguf);
            writer.create(ModelName.parse(name), gguf, Optional.of(TestStore.THINKER_TEMPLATE), Optional.empty(),
                    Map.of("stop", List.of("<|im_start|>", "<|im_end|>")),
                    ModelConfig.gguf(arch, "0.1M", "Q8_0"));
        } finally {
            Files.deleteIfExists(gguf);
        }
    }

    /** Out of the shared test store again (each test unloads its model: later classes see no resident model). */
    @AfterAll
    static void remove() throws Exception {
        StoreWriter writer = new StoreWriter(TestStore.root, true);
        for (String name : NAMES) writer.delete(ModelName.parse(name));
    }

    private boolean currentEngine() {
        return !"b4916".equals(((RunnerEngine) engine).engineRelease());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3:toy", "qwen3moe:toy"})
    void generateChatWithToolsAndEmbed(String model) {
        String generate = """
                {"model":"%s","prompt":"Hello","stream":false,"options":{"temperature":0,"num_predict":6}}"""
                .formatted(model);
        if (!currentEngine()) {
            String arch = model.substring(0, model.indexOf(':'));
            given().body(generate).post("/api/generate").then().statusCode(500)
                    .body("error", containsString("unknown model architecture: '" + arch + "'"))
                    .body("error", containsString("llama.cpp b4916"));
            return;
        }
        JsonPath g = given().body(generate).post("/api/generate").then().statusCode(200).extract().jsonPath();
        assertEquals(6, g.getInt("eval_count"), g.prettify());
        assertTrue(g.getInt("prompt_eval_count") > 0, g.prettify());

        JsonPath c = given().body("""
                {"model":"%s","stream":false,"think":false,"tools":%s,"options":{"temperature":0,"num_predict":8},
                 "messages":[{"role":"user","content":"What is the weather in Paris?"}]}"""
                .formatted(model, ToolsApiTest.TOOLS)).post("/api/chat").then().statusCode(200).extract().jsonPath();
        assertEquals("assistant", c.getString("message.role"), c.prettify());
        assertTrue(c.getBoolean("done"), c.prettify());

        JsonPath e = given().body("{\"model\":\"%s\",\"input\":[\"a quokka\",\"two quokkas\"]}".formatted(model))
                .post("/api/embed").then().statusCode(200).extract().jsonPath();
        List<List<Float>> vectors = e.getList("embeddings");
        assertEquals(2, vectors.size());
        assertEquals(ToyModelSpec.tiny().embeddingLength(), vectors.get(0).size());

        JsonPath show = given().body("{\"model\":\"" + model + "\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(show.getList("capabilities").containsAll(List.of("completion", "tools", "thinking")),
                show.getList("capabilities").toString());

        JsonPath ps = given().get("/api/ps").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> loaded = ps.getList("models");
        Map<String, Object> entry = loaded.stream().filter(m -> model.equals(m.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(model + " not in /api/ps: " + loaded));
        long size = ((Number) entry.get("size")).longValue();
        assertTrue(size > 1_000_000, "the memory estimate covers weights, KV cache and runtime: " + size);

        given().body("{\"model\":\"" + model + "\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
    }
}
