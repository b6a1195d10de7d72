package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away stops its generation (streamed or not) and frees the model for the next request; a
 * client that leaves while queued is dropped without loading anything. The "endless" requests ask for a million
 * tokens, minutes of work, so a next request answered in seconds proves the first one stopped.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class CancellationApiTest {
    static final String ENDLESS = """
            {"model":"toy","prompt":"Go on","stream":%s,"options":{"num_predict":1000000,"num_ctx":512}}""";

    @TestHTTPResource("/")
    URI base;

    Socket send(String path, String body) throws IOException {
        return RawHttp.post(base, path, body);
    }

    static void readLines(Socket socket, int count) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        int seen = 0;
        String line;
        while (seen < count && (line = in.readLine()) != null) {
            if (line.startsWith("{")) seen++;
        }
    }

    void assertNextRequestIsServedPromptly() {
        long start = System.nanoTime();
        given().body(GenerateApiTest.greedy("toy", "Next please", 4)).post("/api/generate").then().statusCode(200)
                .body("eval_count", equalTo(4));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 60, "the abandoned generation kept the model busy for " + seconds + " s");
    }

    @Test
    void aStreamedClientThatLeavesStopsItsGeneration() throws Exception {
        try (Socket socket = send("/api/generate", ENDLESS.formatted("true"))) {
            readLines(socket, 5);
        }
        assertNextRequestIsServedPromptly();
    }

    /**
     * The access line of a stream its client left counts what was done: the prompt's tokens and the tokens produced
     * before the generation stopped (the client read five lines, so at least five), not zeros.
     */
    @Test
    void theAccessLineOfALeftStreamCountsItsPromptAndGeneratedTokens() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger access = java.util.logging.Logger.getLogger("io.quokka.access");
        access.addHandler(capture);
        try {
            try (Socket socket = send("/api/generate", ENDLESS.formatted("true"))) {
                readLines(socket, 5);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines.stream().noneMatch(l -> l.contains("done_reason=cancelled")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            access.removeHandler(capture);
        }
        String line = lines.stream().filter(l -> l.contains("done_reason=cancelled")).findFirst()
                .orElseThrow(() -> new AssertionError("no access line for the cancelled stream: " + lines));
        Matcher m = Pattern.compile("^generate model=toy:latest prompt_tokens=(\\d+) generated_tokens=(\\d+) .*status=499")
                .matcher(line);
        assertTrue(m.find(), line);
        assertTrue(Integer.parseInt(m.group(1)) > 0, "prompt tokens counted: " + line);
        assertTrue(Integer.parseInt(m.group(2)) >= 5, "generated tokens counted: " + line);
    }

    @Test
    void aNonStreamedClientThatLeavesStopsItsGeneration() throws Exception {
        try (Socket socket = send("/api/generate", ENDLESS.formatted("false"))) {
            Thread.sleep(1500);
        }
        assertNextRequestIsServedPromptly();
    }

    @Test
    void aQueuedClientThatLeavesIsDroppedWithoutLoading() throws Exception {
        given().body("{\"model\":\"toy\",\"keep_alive\":\"1m\"}").post("/api/generate").then().statusCode(200);
        try (Socket busy = send("/api/generate", ENDLESS.formatted("true"))) {
            readLines(busy, 3);
            try (Socket queued = send("/api/chat",
                    "{\"model\":\"plain/q4:small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
                Thread.sleep(500);
            }
            Thread.sleep(300);
        }
        Thread.sleep(500);
        given().get("/api/ps").then().statusCode(200).body("models", hasSize(1))
                .body("models[0].name", equalTo("toy:latest"));
    }
}
