package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp crash takes down only its runner: the stream in flight ends with an {@code {"error"}} line, and the
 * next request starts a new runner and is served.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
public class RunnerCrashApiTest {
    @TestHTTPResource("/")
    URI base;

    public static List<ProcessHandle> runners() {
        return ProcessHandle.current().descendants().filter(p -> {
            try {
                // /proc/<pid>/cmdline: NUL-separated arguments, read directly since ProcessHandle.Info may omit them.
                String cmdline = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", p.pid() + "", "cmdline"));
                return List.of(cmdline.split("\0")).contains("runner");
            } catch (java.io.IOException e) {
                return false;
            }
        }).toList();
    }

    @Test
    void aRunnerKilledMidStreamEndsTheStreamWithAnErrorAndTheNextRequestWorks() {
        String endless = """
                {"model":"toy","prompt":"Go on forever","options":{"num_predict":1000000,"num_ctx":256}}""";
        NdjsonClient.Stream stream = NdjsonClient.post(base, "api/generate", endless);
        assertEquals(200, stream.response().statusCode());
        for (int i = 0; i < 5; i++) assertFalse(stream.next().get("done").asBoolean());

        List<ProcessHandle> runners = runners();
        assertEquals(1, runners.size(), "one runner hosts the model: " + ProcessHandle.current().descendants()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
        runners.getFirst().destroyForcibly();

        JsonNode last = null;
        while (stream.hasNext()) last = stream.next();
        assertTrue(last != null && last.has("error"), "the stream ends with an error line: " + last);
        assertTrue(last.get("error").asText().contains("llama runner process has terminated"), last.toString());

        given().body(GenerateApiTest.greedy("toy", "Are you back?", 5)).post("/api/generate").then()
                .statusCode(200).body("eval_count", equalTo(5));
        assertEquals(1, runners().size());
        assertTrue(runners().getFirst().pid() != runners.getFirst().pid(), "a new runner");
    }
}
