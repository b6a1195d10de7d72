package io.quokka.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.TestStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code openai} npm client (the exact version pinned in {@code src/test/js/package.json}) against the running
 * test server: {@code src/test/js/openai-client.mjs} does the checks. Installs the client with {@code npm ci} when
 * {@code node_modules} lacks it, so {@code ./quokka test} needs only node and npm on the PATH; without them the test
 * fails rather than skips.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OpenAiNodeClientTest {
    static final Path JS = Path.of("src", "test", "js");

    @TestHTTPResource("/")
    URI base;

    @Test
    void theOpenAiNpmClientPassesItsChecks() throws Exception {
        installClient();
        Result r = run(List.of("node", "openai-client.mjs"), Map.of("QUOKKA_OPENAI_BASE_URL", base.resolve("v1").toString()),
                120);
        assertEquals(0, r.exit(), "the openai npm client's checks failed:\n" + r.output());
        assertTrue(r.output().contains("openai 7.57.0"), r.output());
    }

    /** {@code npm ci} from the committed lockfile, unless the pinned client is already installed. */
    static void installClient() throws Exception {
        Path installed = JS.resolve("node_modules/openai/package.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"7.57.0\"")) return;
        Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
        assertEquals(0, r.exit(), "npm ci in " + JS + " failed:\n" + r.output());
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command.getFirst() + " is needed for the OpenAI client tests and was not found "
                    + "on the PATH (node 20 or later, with npm)", e);
        }
        p.getOutputStream().close();
        // Read while it runs so a chatty process never blocks on a full pipe.
        var output = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // The process ended.
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError(String.join(" ", command) + " timed out after " + timeoutSeconds + " s:\n"
                    + output.toString(StandardCharsets.UTF_8));
        }
        reader.join(5_000);
        return new Result(p.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
}
