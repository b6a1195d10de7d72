package io.quokka.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged server ({@code target/quarkus-app/quarkus-run.jar serve}) started as a user starts it, with the
 * launcher's lean JVM flags, on a free port and the benchmark's store. Its resident memory (and its runners') is read
 * from {@code /proc}.
 */
final class BenchServer implements AutoCloseable {
    /** The launcher's server flags ({@code ./quokka jvm-opts}, passed by bench/run), else its defaults. */
    static final List<String> LEAN_FLAGS = List.of(System.getProperty("quokka.bench.server-jvm-opts",
            "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -Xms8m -Xmx256m "
                    + "-XX:-UsePerfData").trim().split("\\s+"));

    final Process process;
    final URI base;
    final long startNanos;

    private BenchServer(Process process, URI base, long startNanos) {
        this.process = process;
        this.base = base;
        this.startNanos = startNanos;
    }

    static BenchServer start(Path jar, Path store, Path workDir, Path log, Map<String, String> env,
                             List<String> extraJvmFlags) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the packaged server is missing at " + jar + ": run ./quokka build first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(LEAN_FLAGS);
        cmd.addAll(extraJvmFlags);
        cmd.addAll(List.of("-jar", jar.toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OLLAMA_HOST", "127.0.0.1:" + port);
        pb.environment().put("OLLAMA_MODELS", store.toString());
        pb.environment().put("QUOKKA_WORK_DIR", workDir.toString());
        pb.environment().put("QUOKKA_TOY_DEFAULT", "false");
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        return new BenchServer(p, URI.create("http://127.0.0.1:" + port + "/"), start);
    }

    /** Waits until {@code GET /} answers 200; returns the milliseconds since the process started. */
    double awaitUp(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("the server exited with " + process.exitValue());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return (System.nanoTime() - startNanos) / 1e6;
            } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the server did not come up within " + timeout);
    }

    long pid() {
        return process.pid();
    }

    /** VmRSS of the server process alone, in bytes. */
    long serverRss() {
        return rss(process.pid());
    }

    /** VmRSS of the server's descendants (its runners), in bytes. */
    /** CPU time the server process has used so far (every live thread's, from {@code schedstat}), in nanoseconds. */
    long cpuNanos() {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    total += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    long runnersRss() {
        return process.descendants().mapToLong(h -> rss(h.pid())).sum();
    }

    int runnerCount() {
        return (int) process.descendants().filter(ProcessHandle::isAlive).count();
    }

    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
