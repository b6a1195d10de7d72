package io.quokka.scheduler.memory;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.RunnerCrashApiTest;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The memory guard at the API, under {@code QUOKKA_MEMORY_LIMIT} set to this JVM's resident memory plus 700 MiB (the
 * server runs in the test JVM and grows by ~200 MiB as it boots). A model whose compute buffers and KV cache at {@code num_ctx} 32768 need far more
 * loads with a smaller context, shown by {@code /api/ps}; one that does not fit even at the 512-token floor is
 * refused with Ollama's message and no runner starts.
 */
@QuarkusTest
@TestProfile(MemoryGuardApiTest.Limited.class)
class MemoryGuardApiTest {
    static final long MIB = 1024 * 1024;

    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("quokka-memory-store-");
                // ~560 MiB at num_ctx 32768 (the attention scores of 4 heads dominate), ~97 MiB at 512
                ToyInstaller.install(root, ModelName.parse("wide"), ToyModelSpec.tiny().withName("wide")
                        .withContextLength(65536));
                // 512 heads of dim 2: ~900 MiB of attention scores even at the 512-token floor; never loaded
                ToyInstaller.install(root, ModelName.parse("huge"), ToyModelSpec.tiny().withName("huge")
                        .withShape(1024, 1, 512, 1, 64).withContextLength(65536));
                long limit = MemoryBudget.processTreeResident() + 700 * MIB;
                return Map.of("quokka.models", root.toString(), "quokka.toy-default", "false",
                        "quokka.memory-limit", Long.toString(limit), "quokka.memory-context-floor", "512");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aContextThatDoesNotFitIsShrunkAndShownByPs() {
        JsonPath show = given().body("{\"model\":\"wide\",\"options\":{}}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("QUOKKA_MEMORY_LIMIT", show.getString("memory.available_source"));
        assertTrue(show.getLong("memory.total") > 0 && show.getLong("memory.weights") > 0, show.prettify());

        given().body("""
                {"model":"wide","prompt":"Hello","stream":false,"options":{"num_ctx":32768,"num_predict":2}}""")
                .post("/api/generate").then().statusCode(200).body("done", equalTo(true));
        JsonPath ps = given().get("/api/ps").then().statusCode(200).extract().jsonPath();
        int ctx = ps.getInt("models[0].context_length");
        assertTrue(ctx >= 512 && ctx < 32768, "effective context " + ctx);
        assertEquals(0, ctx % 256, "a multiple of 256: " + ctx);

        // the same request again is served by the same runner: the shrunk context is not a reason to reload
        long pid = RunnerCrashApiTest.runners().getFirst().pid();
        given().body("""
                {"model":"wide","prompt":"Hello","stream":false,"options":{"num_ctx":32768,"num_predict":2}}""")
                .post("/api/generate").then().statusCode(200);
        assertEquals(pid, RunnerCrashApiTest.runners().getFirst().pid());
    }

    @Test
    void aModelThatDoesNotFitEvenAtTheFloorIsRefusedWithBothFigures() {
        JsonPath show = given().body("{\"model\":\"huge\"}").post("/api/show").then().statusCode(200).extract().jsonPath();
        assertTrue(show.getString("memory.error").startsWith("model requires more system memory ("), show.prettify());

        String error = given().body("""
                {"model":"huge","prompt":"Hello","stream":false}""")
                .post("/api/generate").then().statusCode(500).extract().jsonPath().getString("error");
        assertTrue(error.matches("model requires more system memory \\(\\d+\\.\\d (MiB|GiB)\\) than is available "
                + "\\(\\d+\\.\\d (MiB|GiB)\\)"), error);
        // A streamed request gets the same status and body when the refusal comes before the headers are due
        // (100 ms); on a starved machine the headers may go first, and the refusal is then the stream's last line.
        var streamed = given().body("{\"model\":\"huge\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/api/chat");
        if (streamed.statusCode() == 200) {
            String[] lines = streamed.asString().strip().split("\n");
            assertTrue(lines[lines.length - 1].startsWith("{\"error\":\"model requires more system memory ("),
                    streamed.asString());
        } else {
            streamed.then().statusCode(500)
                    .body("error", org.hamcrest.Matchers.startsWith("model requires more system memory ("));
        }
        assertTrue(RunnerCrashApiTest.runners().stream().noneMatch(p -> commandLineMentions(p, "huge")));
    }

    static boolean commandLineMentions(ProcessHandle p, String text) {
        try {
            return Files.readString(Path.of("/proc", p.pid() + "", "cmdline")).contains(text);
        } catch (IOException e) {
            return false;
        }
    }
}
