package io.quokka.scheduler;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.Prometheus;
import io.quokka.api.RunnerCrashApiTest;
import io.quokka.engine.KvCacheType;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.scheduler.memory.MemoryBudget;
import io.quokka.scheduler.memory.MemoryEstimate;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code OLLAMA_MAX_LOADED_MODELS=2} on the real engine, under a {@code QUOKKA_MEMORY_LIMIT} of this JVM's resident
 * memory plus 1.2 GiB (the server is the test JVM). Two small models stay resident side by side, each in its own
 * runner, and alternating requests reload nothing. Then each asks for a context so large that its estimate is 60% of
 * what is available: one fits, two do not, so the second evicts the first (reason {@code memory}) and loads as asked.
 * The first runner's RSS is far below its estimate (its compute buffers are not touched yet): the guard counts what
 * it may still grow into, or the second would have been let in beside it.
 */
@QuarkusTest
@TestProfile(ResidencyApiTest.TwoPlaces.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResidencyApiTest {
    static final long MIB = 1024 * 1024;
    static Path alphaBlob;

    public static class TwoPlaces implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("quokka-residency-store-");
                // two different blobs (seeds), trained for 64k tokens so a request can ask for a big context
                alphaBlob = ToyInstaller.install(root, ModelName.parse("alpha"), ToyModelSpec.tiny().withName("alpha")
                        .withSeed(1).withContextLength(65536)).modelBlob();
                ToyInstaller.install(root, ModelName.parse("beta"), ToyModelSpec.tiny().withName("beta").withSeed(2)
                        .withContextLength(65536));
                long limit = MemoryBudget.processTreeResident() + 1200 * MIB;
                return Map.of("quokka.models", root.toString(), "quokka.toy-default", "false",
                        "quokka.max-loaded-models", "2", "quokka.keep-alive", "5m",
                        "quokka.memory-limit", Long.toString(limit));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static void generate(String model, String options) {
        given().body("""
                {"model":"%s","prompt":"Hello","stream":false,"options":{"num_predict":1%s}}""".formatted(model, options))
                .post("/api/generate").then().statusCode(200);
    }

    static List<Long> runnerPids() {
        return RunnerCrashApiTest.runners().stream().map(ProcessHandle::pid).sorted().toList();
    }

    static double loads(String model) {
        return Prometheus.value(Prometheus.scrape(), "quokka_model_loads_total",
                Map.of("model", model, "outcome", "success"));
    }

    @Test
    @Order(1)
    void twoModelsStayResidentAndAlternatingRequestsReloadNothing() {
        generate("alpha", "");
        generate("beta", "");
        JsonPath ps = given().get("/api/ps").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("alpha:latest", "beta:latest"), ps.getList("models.name", String.class).stream().sorted().toList(),
                ps.prettify());
        for (int i = 0; i < 2; i++) {
            assertTrue(ps.getLong("models[" + i + "].size") > 0, ps.prettify());
            assertEquals(4096, ps.getInt("models[" + i + "].context_length"), ps.prettify());
            assertTrue(ps.getString("models[" + i + "].expires_at").length() > 10, ps.prettify());
        }
        List<Long> pids = runnerPids();
        assertEquals(2, pids.size(), "one runner per model: " + pids);

        for (int i = 0; i < 4; i++) generate(i % 2 == 0 ? "alpha" : "beta", "");
        assertEquals(pids, runnerPids(), "alternating requests reuse both runners");
        assertEquals(1.0, loads("alpha:latest"));
        assertEquals(1.0, loads("beta:latest"));
    }

    @Test
    @Order(2)
    void whenOnlyOneFitsTheSecondEvictsTheFirst() throws IOException {
        given().body("{\"model\":\"alpha\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        given().body("{\"model\":\"beta\",\"keep_alive\":0}").post("/api/generate").then().statusCode(200);
        assertEquals(List.of(), runnerPids());
        long available = given().body("{\"model\":\"alpha\"}").post("/api/show").then().statusCode(200).extract()
                .jsonPath().getLong("memory.available");
        // the largest context (a multiple of 256) whose estimate is at most 60% of what is available now
        GgufFile gguf = GgufReader.read(alphaBlob);
        int ctx = 256;
        while (ctx + 256 <= 65536 && MemoryEstimate.of(gguf, ctx + 256, 512, KvCacheType.F16, false).total() <= available * 0.6) {
            ctx += 256;
        }
        assertTrue(ctx > 4096, "room for a big context: " + available / MIB + " MiB available");
        String big = ",\"num_ctx\":" + ctx;

        generate("alpha", big);
        List<Long> alpha = runnerPids();
        assertEquals(1, alpha.size());
        generate("beta", big);
        JsonPath ps = given().get("/api/ps").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("beta:latest"), ps.getList("models.name", String.class), ps.prettify());
        assertEquals(ctx, ps.getInt("models[0].context_length"), "loaded as asked, not shrunk");
        List<Long> beta = runnerPids();
        assertEquals(1, beta.size());
        assertTrue(!beta.equals(alpha), "alpha's runner ended");
        assertEquals(1.0, Prometheus.value(Prometheus.scrape(), "quokka_model_unloads_total",
                Map.of("model", "alpha:latest", "reason", "memory")));
    }
}
