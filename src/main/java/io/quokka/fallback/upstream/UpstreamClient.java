package io.quokka.fallback.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.engine.CancelToken;
import io.quokka.generation.GenerationCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Calls upstream servers over HTTP ({@link HttpClient}): the outbound adapter of the fallback chains. One client, its
 * connections shared by every call.
 */
public final class UpstreamClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Function<String, Optional<String>> secrets;

    /** @param secrets looks an API key up by its environment variable's name */
    public UpstreamClient(Function<String, Optional<String>> secrets) {
        this.secrets = secrets;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * Sends {@code command} to {@code upstream} and waits for its answer to start (the status and headers).
     *
     * @throws UpstreamException when it cannot be reached, is too slow or answers with an error
     */
    public UpstreamCall open(Upstream upstream, GenerationCommand command, CancelToken cancel) {
        Protocol protocol = Protocol.of(upstream.api());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + protocol.path(command)))
                .timeout(upstream.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", upstream.api() == Upstream.Api.OPENAI ? "text/event-stream" : "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(protocol, command, upstream)));
        String key = null;
        if (upstream.apiKeyVariable() != null) {
            key = secrets.apply(upstream.apiKeyVariable()).filter(k -> !k.isBlank())
                    .orElseThrow(() -> new UpstreamException(502, "upstream " + upstream.describe()
                            + ": its API key variable " + upstream.apiKeyVariable() + " is not set"));
            request.header("Authorization", "Bearer " + key);
        }
        return UpstreamCall.open(http, request.build(), upstream, protocol, json, cancel, key);
    }

    private byte[] body(Protocol protocol, GenerationCommand command, Upstream upstream) {
        try {
            return json.writeValueAsBytes(protocol.body(command, upstream.model(), json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
