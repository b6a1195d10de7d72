package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged artifact can load llama.cpp and bind every foreign call the runner makes ({@code quokka native-check}).
 * In the default build that is the jar; with {@code -Dnative} it is the native binary ({@code quokka.native.binary}),
 * so a native image that lacks the embedded library, a system library or a foreign-call registration fails
 * {@code verify} instead of shipping.
 */
@Timeout(120)
class NativeCheckIT {
    @Test
    void thePackagedArtifactLoadsLlamaCppAndBindsEveryForeignCall() throws Exception {
        String binary = System.getProperty("quokka.native.binary", "");
        List<String> command;
        if (!binary.isBlank()) {
            assertTrue(Files.isExecutable(Path.of(binary)), "native binary missing: " + binary);
            command = List.of(binary, "native-check");
        } else {
            String jar = System.getProperty("quokka.app.jar", "target/quarkus-app/quarkus-run.jar");
            assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged app is missing at " + jar);
            String java = ProcessHandle.current().info().command().orElse("java");
            command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-jar", jar, "native-check");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("native-check ok"), out);
    }
}
