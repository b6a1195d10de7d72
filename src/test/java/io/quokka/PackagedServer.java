package io.quokka;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code target/quarkus-app}, built by {@code package} before failsafe runs the ITs in
 * {@code verify}) started as a process of its own on a free loopback port, its output appended to a log file.
 */
record PackagedServer(Process process, URI base, Path log) {

    /** Starts the server with {@code env} added to this JVM's environment and waits until {@code /health} is 200. */
    static PackagedServer start(Path log, Map<String, String> env) throws Exception {
        return start(log, env, "health");
    }

    /** Starts the server and waits until {@code readyPath} answers 200 ({@code ""}: listening, whatever readiness). */
    static PackagedServer start(Path log, Map<String, String> env, String readyPath) throws Exception {
        String jar = System.getProperty("quokka.app.jar", "target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(Path.of(jar)),
                "the packaged app is missing at " + jar + ": run this through `./quokka test` (mvn verify)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-jar", jar, "serve")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OLLAMA_HOST", "127.0.0.1:" + port);
        pb.environment().putAll(env);
        PackagedServer server = new PackagedServer(pb.start(), URI.create("http://127.0.0.1:" + port + "/"), log);
        server.awaitReady(readyPath);
        return server;
    }

    /**
     * Ends the server after a test, whatever the test did to it: SIGTERM, then SIGKILL if it has not exited in 30 s.
     * Waits for the exit, so its files (the store, the log) are released.
     */
    void stop() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }

    /** What the server has written so far (or why it cannot be read). */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void awaitReady(String readyPath) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), () -> "the server died: " + output());
            try {
                var r = http.send(HttpRequest.newBuilder(base.resolve(readyPath)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in 90 s: " + output());
    }
}
