package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the npm clients' check scripts in {@code src/test/js} (the exact versions pinned in its {@code package.json} and
 * lockfile). Installs them with {@code npm ci} when {@code node_modules} lacks one, so {@code ./quokka test} needs only
 * node and npm on the PATH; without them a test fails rather than skips.
 */
public final class NodeClients {
    public static final Path JS = Path.of("src", "test", "js");
    private static final Map<String, String> PINNED = Map.of("openai", "7.57.0", "ollama", "0.6.4");

    private NodeClients() {}

    public record Result(int exit, String output) {}

    /** {@code npm ci} from the committed lockfile, unless every pinned client is already installed. */
    public static synchronized void install() throws Exception {
        boolean installed = true;
        for (var e : PINNED.entrySet()) {
            Path p = JS.resolve("node_modules").resolve(e.getKey()).resolve("package.json");
            installed &= Files.exists(p) && Files.readString(p).contains("\"version\": \"" + e.getValue() + "\"");
        }
        if (installed) return;
        Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
        assertEquals(0, r.exit(), "npm ci in " + JS + " failed:\n" + r.output());
    }

    /** Runs a command in {@code src/test/js}, failing the test when it cannot start or times out. */
    public static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command.getFirst() + " is needed for the npm client tests and was not found "
                    + "on the PATH (node 20 or later, with npm)", e);
        }
        p.getOutputStream().close();
        // Read while it runs so a chatty process never blocks on a full pipe.
        var output = new ByteArrayOutputStream();
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
