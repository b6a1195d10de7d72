package io.quokka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.config.OllamaHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The HTTP side of the CLI, as Ollama's {@code api.Client}: JSON requests to {@code OLLAMA_HOST}, NDJSON streams read
 * line by line as they arrive, and a server's {@code {"error": ...}} (as a status code or as a stream's last line)
 * turned into an {@link ApiException} carrying its message.
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A failed request: the server's error message, or why it could not be reached. */
    static final class ApiException extends RuntimeException {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final URI base;

    ApiClient(URI base) {
        this.base = base;
    }

    /**
     * The server {@code OLLAMA_HOST} names, as Ollama's client reads it: {@code http://127.0.0.1:11434} by default;
     * a scheme, host and port each optional ({@code :port}, {@code host}, {@code https://host}); the address parsed by
     * {@link OllamaHost}, an empty host (every interface) meaning this machine.
     */
    static URI baseUri(String ollamaHost) {
        String value = ollamaHost == null ? "" : ollamaHost.strip();
        String scheme = value.toLowerCase(Locale.ROOT).startsWith("https://") ? "https" : "http";
        OllamaHost host = value.isEmpty() ? OllamaHost.DEFAULT : OllamaHost.parse(value);
        String name = host.host().isEmpty() ? "127.0.0.1" : host.host();
        if (name.contains(":")) name = "[" + name + "]";
        return URI.create(scheme + "://" + name + ":" + host.port());
    }

    URI base() {
        return base;
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, json(body));
    }

    JsonNode delete(String path, Object body) {
        return send("DELETE", path, json(body));
    }

    /** {@code HEAD /api/blobs/:digest}: whether the server has the blob. */
    boolean hasBlob(String digest) {
        HttpURLConnection c = open("HEAD", "/api/blobs/" + digest, "application/json");
        try {
            return status(c) == 200;
        } finally {
            c.disconnect();
        }
    }

    /** {@code POST /api/blobs/:digest} with the file streamed from disk. */
    void putBlob(String digest, java.nio.file.Path file) {
        HttpURLConnection c = open("POST", "/api/blobs/" + digest, "application/json");
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(java.nio.file.Files.size(file));
            try (OutputStream out = c.getOutputStream()) {
                in.transferTo(out);
            }
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ApiException(0, "cannot read " + file + ": " + e.getMessage());
        } catch (IOException e) {
            throw failed(e);
        }
        answer(c);
    }

    /** POSTs {@code body} and hands each NDJSON line to {@code line} as it arrives; an error line throws. */
    void stream(String path, ObjectNode body, Consumer<JsonNode> line) {
        HttpURLConnection c = open("POST", path, "application/x-ndjson");
        write(c, json(body));
        int status = status(c);
        try (var reader = new BufferedReader(new InputStreamReader(body(c, status), StandardCharsets.UTF_8))) {
            if (status >= 400) throw error(status, reader.lines().reduce("", String::concat));
            String text;
            while ((text = reader.readLine()) != null) {
                if (text.isBlank()) continue;
                JsonNode node = JSON.readTree(text);
                if (node.hasNonNull("error")) throw new ApiException(500, node.get("error").asText());
                line.accept(node);
            }
        } catch (IOException e) {
            throw new ApiException(0, "the server closed the stream: " + e.getMessage());
        }
    }

    private JsonNode send(String method, String path, byte[] body) {
        HttpURLConnection c = open(method, path, "application/json");
        if (body != null) write(c, body);
        return answer(c);
    }

    /** The JSON answer of {@code c}, or its error. */
    private JsonNode answer(HttpURLConnection c) {
        int status = status(c);
        String text;
        try (InputStream in = body(c, status)) {
            text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failed(e);
        }
        if (status >= 400) throw error(status, text);
        try {
            return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new ApiException(status, "unexpected answer from the server: " + e.getMessage());
        }
    }

    /**
     * A request through {@link HttpURLConnection}: for a command that runs for a few hundred milliseconds it is the
     * lighter client (java.net.http loads ~360 classes and sets up TLS even for plain HTTP). Accept as Ollama's
     * client sends it: application/x-ndjson for streams, application/json otherwise.
     */
    private HttpURLConnection open(String method, String path, String accept) {
        try {
            HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5_000);
            c.setUseCaches(false);
            c.setRequestProperty("Content-Type", "application/json");
            c.setRequestProperty("Accept", accept);
            return c;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private void write(HttpURLConnection c, byte[] body) {
        try {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private int status(HttpURLConnection c) {
        try {
            return c.getResponseCode();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** The response body: the error stream for a 4xx/5xx (null when there is none). */
    private static InputStream body(HttpURLConnection c, int status) throws IOException {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return in != null ? in : InputStream.nullInputStream();
    }

    private ApiException failed(IOException e) {
        if (e instanceof ConnectException) {
            return new ApiException(0, "could not connect to a server at " + base
                    + ", run './quokka serve' to start it (or set OLLAMA_HOST)");
        }
        return new ApiException(0, "request to " + base + " failed: " + e.getMessage());
    }

    private static ApiException error(int status, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.hasNonNull("error")) {
                JsonNode error = node.get("error");
                // OpenAI-shaped errors nest the message.
                return new ApiException(status, error.isObject() ? error.path("message").asText() : error.asText());
            }
        } catch (IOException notJson) {
            // Fall through to the raw body.
        }
        return new ApiException(status, body == null || body.isBlank() ? "HTTP " + status : body.strip());
    }

    private static byte[] json(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
