package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The benchmark's peer ({@code --peer PATH}): llama.cpp's own llama-server on the same GGUF file, with the same
 * threads, context and batch as the served path and one slot (as {@code OLLAMA_NUM_PARALLEL=1}), driven through its
 * own {@code /completion} endpoint (streamed, {@code cache_prompt} off) and timed by its own {@code timings}.
 */
final class PeerServer implements AutoCloseable {
    final Process process;
    private final StreamClient client;

    private PeerServer(Process process, URI base) {
        this.process = process;
        this.client = new StreamClient(base, () -> 0);
    }

    /** Starts {@code binary} on {@code model}; returns once its {@code /health} answers ok. */
    static PeerServer start(Path binary, Path model, int ctx, int batch, int threads, Path log)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = List.of(binary.toString(), "--model", model.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--threads", Integer.toString(threads), "--threads-batch",
                Integer.toString(threads), "--ctx-size", Integer.toString(ctx), "--batch-size", Integer.toString(batch),
                // as the served runner makes its context: n_ubatch = n_batch, flash attention off (Ollama's default)
                "--ubatch-size", Integer.toString(batch), "--flash-attn", "off", "--parallel", "1");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        PeerServer peer = new PeerServer(p, URI.create("http://127.0.0.1:" + port + "/"));
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            if (!p.isAlive()) throw new IOException("llama-server exited (" + p.exitValue() + "); see " + log);
            try {
                if (peer.client.call("/health", null).path("status").asText().equals("ok")) return peer;
            } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                peer.close();
                throw new IOException("llama-server did not get ready within 5 minutes; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /**
     * One streamed completion of {@code n} tokens: the client's time to the first text and rate between the first
     * and the last text event, and llama-server's own rates ({@code timings.predicted_per_second},
     * {@code timings.prompt_per_second}).
     */
    Bench.Run complete(String prompt, int n) throws IOException {
        String body = "{\"prompt\":" + StreamClient.JSON.writeValueAsString(prompt) + ",\"n_predict\":" + n
                + ",\"stream\":true,\"cache_prompt\":false,\"temperature\":0,\"seed\":42}";
        StreamClient.Timed t = client.post("/completion", body);
        if (!t.complete()) throw new IOException("llama-server completion failed: " + t);
        JsonNode timings = t.done().path("timings");
        int predicted = timings.path("predicted_n").asInt();
        long span = t.lastTextNanos() - t.firstTextNanos();
        double clientRate = predicted > 1 && span > 0 ? (predicted - 1) * 1e9 / span : Double.NaN;
        return new Bench.Run("llama-server", clientRate, timings.path("predicted_per_second").asDouble(Double.NaN),
                timings.path("prompt_per_second").asDouble(Double.NaN), t.firstTextNanos() / 1e6, predicted,
                timings.path("prompt_n").asInt());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
