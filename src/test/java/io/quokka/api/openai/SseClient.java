package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a server-sent event stream as it arrives and checks its framing: every event is one {@code data: } line
 * followed by a blank line.
 */
final class SseClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Stream(HttpResponse<java.util.stream.Stream<String>> response, Iterator<String> lines) {
        String contentType() {
            return response.headers().firstValue("content-type").orElse("");
        }

        /** The next event's data, or null at the end of the stream. */
        String nextData() {
            if (!lines.hasNext()) return null;
            String line = lines.next();
            if (!line.startsWith("data: ")) throw new AssertionError("not a data line: '" + line + "'");
            String blank = lines.hasNext() ? lines.next() : null;
            if (!"".equals(blank)) throw new AssertionError("an event must end with a blank line, got: " + blank);
            return line.substring("data: ".length());
        }

        /** Every remaining event's data, [DONE] included. */
        List<String> rest() {
            List<String> out = new ArrayList<>();
            for (String d = nextData(); d != null; d = nextData()) out.add(d);
            return out;
        }
    }

    static Stream post(URI base, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            var response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
            return new Stream(response, response.body().iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String data) {
        try {
            return JSON.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + data, e);
        }
    }

    private SseClient() {}
}
