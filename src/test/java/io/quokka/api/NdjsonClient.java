package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.stream.Stream;

/** Reads a streamed NDJSON response line by line as it arrives, as Ollama's clients do. */
final class NdjsonClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Stream(HttpResponse<java.util.stream.Stream<String>> response, Iterator<String> lines) {
        String contentType() {
            return response.headers().firstValue("content-type").orElse("");
        }

        JsonNode next() {
            return parse(lines.next());
        }

        boolean hasNext() {
            return lines.hasNext();
        }
    }

    static Stream post(URI base, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
            return new Stream(response, response.body().iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + line, e);
        }
    }

    private NdjsonClient() {}

}
