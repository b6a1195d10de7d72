package io.quokka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.config.OllamaHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    private final HttpClient http;

    ApiClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, Object body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(json(body)));
    }

    JsonNode delete(String path, Object body) {
        return send(HttpRequest.newBuilder(uri(path)).method("DELETE", json(body)));
    }

    /** {@code HEAD /api/blobs/:digest}: whether the server has the blob. */
    boolean hasBlob(String digest) {
        var response = exchange(HttpRequest.newBuilder(uri("/api/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
    }

    /** {@code POST /api/blobs/:digest} with the file streamed from disk. */
    void putBlob(String digest, java.nio.file.Path file) {
        try {
            send(HttpRequest.newBuilder(uri("/api/blobs/" + digest)).POST(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw new ApiException(0, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** POSTs {@code body} and hands each NDJSON line to {@code line} as it arrives; an error line throws. */
    void stream(String path, ObjectNode body, Consumer<JsonNode> line) {
        HttpResponse<InputStream> response = exchange(HttpRequest.newBuilder(uri(path)).POST(json(body))
                .header("Accept", "application/x-ndjson"), HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() >= 400) {
                throw error(response.statusCode(), reader.lines().reduce("", String::concat));
            }
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

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response = exchange(request.header("Accept", "application/json"),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) throw error(response.statusCode(), response.body());
        try {
            String body = response.body();
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), "unexpected answer from the server: " + e.getMessage());
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            // Accept as Ollama's client sends it: application/x-ndjson for streams, application/json otherwise.
            return http.send(request.header("Content-Type", "application/json").build(), handler);
        } catch (ConnectException e) {
            throw new ApiException(0, "could not connect to a server at " + base
                    + ", run './quokka serve' to start it (or set OLLAMA_HOST)");
        } catch (IOException e) {
            throw new ApiException(0, "request to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
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

    private URI uri(String path) {
        return base.resolve(path);
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
