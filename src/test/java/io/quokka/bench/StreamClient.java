package io.quokka.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A streaming {@code /api/generate} client that times what a user sees: the first text chunk, the last one, and the
 * runner's own counts from the final line. Chunk lines are recognised without parsing them, so the client costs as
 * little CPU as possible on the machine it shares with the server.
 */
final class StreamClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private final URI base;
    private final java.util.function.LongSupplier serverCpu;

    /** {@code serverCpu}: the server process's CPU time so far, in nanoseconds (sampled at the first and last line). */
    StreamClient(URI base, java.util.function.LongSupplier serverCpu) {
        this.base = base;
        this.serverCpu = serverCpu;
    }

    /**
     * One streamed generation as the client saw it. Times are nanoseconds from the request's start; the CPU times
     * (the server process's and this client thread's) cover the first text chunk to the final line.
     */
    record Timed(int status, long firstTextNanos, long lastTextNanos, long totalNanos, int chunks,
                 JsonNode done, String error, long serverCpuNanos, long clientCpuNanos) {
        boolean complete() {
            return status == 200 && done != null && error == null;
        }

        int evalCount() {
            return done == null ? 0 : done.path("eval_count").asInt();
        }

        int promptEvalCount() {
            return done == null ? 0 : done.path("prompt_eval_count").asInt();
        }

        /** Tokens per second between the first and the last text chunk, as the client received them. */
        double clientGenerationRate() {
            int n = evalCount();
            long span = lastTextNanos - firstTextNanos;
            return n > 1 && span > 0 ? (n - 1) * 1e9 / span : Double.NaN;
        }

        /** The server process's CPU per streamed token, in microseconds. */
        double serverCpuPerTokenMicros() {
            int n = evalCount();
            return n > 1 && serverCpuNanos > 0 ? serverCpuNanos / 1e3 / (n - 1) : Double.NaN;
        }

        /** The client thread's CPU per streamed token, in microseconds. */
        double clientCpuPerTokenMicros() {
            int n = evalCount();
            return n > 1 && clientCpuNanos > 0 ? clientCpuNanos / 1e3 / (n - 1) : Double.NaN;
        }

        /** The runner's own eval rate ({@code eval_count / eval_duration}). */
        double runnerGenerationRate() {
            return done == null ? Double.NaN
                    : rate(done.path("eval_count").asLong(), done.path("eval_duration").asLong());
        }

        double runnerPromptRate() {
            return done == null ? Double.NaN
                    : rate(done.path("prompt_eval_count").asLong(), done.path("prompt_eval_duration").asLong());
        }
    }

    static double rate(long count, long nanos) {
        return count > 0 && nanos > 0 ? count * 1e9 / nanos : Double.NaN;
    }

    Timed generate(String model, String prompt, String options) throws IOException, InterruptedException {
        String body = "{\"model\":" + JSON.writeValueAsString(model) + ",\"prompt\":" + JSON.writeValueAsString(prompt)
                + ",\"raw\":true,\"stream\":true,\"options\":" + options + "}";
        return post("/api/generate", body);
    }

    /**
     * A streamed POST over a plain socket, read on this thread alone, as curl reads it: a chunk wakes one thread.
     * (The JDK's HttpClient reads on its selector thread and hands the bytes to the reading thread through a queue:
     * two more thread wake-ups per token on the 2 cores the server and the runner share, which the measurement would
     * charge to serving.)
     */
    Timed post(String path, String body) throws IOException {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Duration.ofMinutes(30).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            String statusLine = asciiLine(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            boolean chunked = false;
            for (String header = asciiLine(in); !header.isEmpty(); header = asciiLine(in)) {
                if (header.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && header.contains("chunked")) {
                    chunked = true;
                }
            }
            Lines lines = new Lines(start, serverCpu);
            if (chunked) {
                for (int size = Integer.parseInt(asciiLine(in).split(";")[0].strip(), 16); size > 0;
                        size = Integer.parseInt(asciiLine(in).split(";")[0].strip(), 16)) {
                    lines.add(in.readNBytes(size));
                    asciiLine(in); // the CRLF after the chunk
                }
            } else {
                lines.add(in.readAllBytes());
            }
            lines.end();
            long serverCpuNanos = lines.serverCpuAtFirst < 0 ? -1 : serverCpu.getAsLong() - lines.serverCpuAtFirst;
            long clientCpuNanos = lines.clientCpuAtFirst < 0 ? -1
                    : THREADS.getCurrentThreadCpuTime() - lines.clientCpuAtFirst;
            return new Timed(status, lines.first, lines.last, System.nanoTime() - start, lines.chunks, lines.done,
                    lines.error, serverCpuNanos, clientCpuNanos);
        }
    }

    /** NDJSON lines as they complete, timed at the read that completed them. */
    private static final class Lines {
        private final long start;
        private final java.util.function.LongSupplier serverCpu;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        long first = -1, last = -1;
        long serverCpuAtFirst = -1, clientCpuAtFirst = -1;
        int chunks;
        JsonNode done;
        String error;

        Lines(long start, java.util.function.LongSupplier serverCpu) {
            this.start = start;
            this.serverCpu = serverCpu;
        }

        void add(byte[] bytes) throws IOException {
            long now = System.nanoTime() - start;
            int from = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != '\n') continue;
                partial.write(bytes, from, i - from);
                line(partial.toString(StandardCharsets.UTF_8), now);
                partial.reset();
                from = i + 1;
            }
            partial.write(bytes, from, bytes.length - from);
        }

        void end() throws IOException {
            if (partial.size() > 0) line(partial.toString(StandardCharsets.UTF_8), System.nanoTime() - start);
        }

        /**
         * Chunk lines are recognised without parsing them, so the client costs as little CPU as possible. Also reads
         * llama-server's {@code /completion} stream (the peer): {@code data: } events with {@code content} and
         * {@code stop} in place of {@code response} and {@code done}.
         */
        private void line(String line, long now) throws IOException {
            if (line.startsWith("data: ")) line = line.substring(6);
            if (line.isBlank()) return;
            if (line.startsWith("error: ")) {
                error = line;
                return;
            }
            if (line.contains("\"done\":false") || line.contains("\"stop\":false")) {
                if (!line.contains("\"response\":\"\"") && !line.contains("\"content\":\"\"")) {
                    if (first < 0) {
                        first = now;
                        serverCpuAtFirst = serverCpu.getAsLong();
                        clientCpuAtFirst = THREADS.getCurrentThreadCpuTime();
                    }
                    last = now;
                    chunks++;
                }
                return;
            }
            JsonNode node = JSON.readTree(line);
            if (node.has("error")) {
                error = node.get("error").asText();
            } else if (node.path("done").asBoolean() || node.path("stop").asBoolean()) {
                done = node;
            }
        }
    }

    private static String asciiLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new java.io.EOFException("connection closed mid-response");
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    /** A plain JSON call; the answer's body as a tree (or an {@code {"error"}} object). */
    JsonNode call(String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    }
}
