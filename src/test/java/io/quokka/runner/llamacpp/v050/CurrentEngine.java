package io.quokka.runner.llamacpp.v050;

import static org.junit.jupiter.api.Assertions.fail;

import io.quokka.runner.llamacpp.EngineDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Gets llama.cpp v0.5.0 for the tests the way {@code ./quokka} does: {@link EngineDir#resolve} (an explicit
 * {@code QUOKKA_LLAMA_DIR} or the cache), else {@code scripts/engine.sh}, which fetches it with npm once. When it
 * cannot be had the test is skipped, saying why; under {@code CI=true} on a machine with npm that is a failure
 * instead (the engine must be obtainable there, or the tests of the current engine would silently never run).
 */
final class CurrentEngine {
    private CurrentEngine() {}

    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();

    /** The directory of the libraries. */
    static Path libraries() {
        Optional<Path> dir = EngineDir.resolve(System.getenv());
        return dir.orElseGet(() -> viaScript("lib"));
    }

    /** A directory holding {@code include/llama.h} and {@code ggml/include/} of the release. */
    static Path headers() {
        return viaScript("headers");
    }

    private static Path viaScript(String what) {
        return FOUND.computeIfAbsent(what, CurrentEngine::run);
    }

    private static Path run(String what) {
        Path script = Path.of("scripts", "engine.sh").toAbsolutePath();
        String reason;
        try {
            Path err = Files.createTempFile("engine-", ".err");
            Process p = new ProcessBuilder("bash", script.toString(), what)
                    .redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            String stderr = Files.readString(err).strip();
            Files.deleteIfExists(err);
            if (done && p.exitValue() == 0 && !out.isEmpty() && Files.isDirectory(Path.of(out))) {
                return Path.of(out);
            }
            if (!done) p.destroyForcibly();
            reason = "scripts/engine.sh " + what + (done ? " exited " + p.exitValue() : " timed out") + ": " + stderr;
        } catch (IOException e) {
            reason = "cannot run scripts/engine.sh: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
        }
        if ("true".equals(System.getenv("CI")) && npmAvailable() && !"b4916".equals(System.getenv(EngineDir.ENGINE_ENV))) {
            fail("llama.cpp " + LlamaV050.RELEASE + " could not be obtained although npm is available (CI=true): " + reason);
        }
        Assumptions.abort("llama.cpp " + LlamaV050.RELEASE + " is not available, test skipped: " + reason);
        throw new AssertionError("unreachable");
    }

    static boolean npmAvailable() {
        try {
            Process p = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
