package io.quokka.security;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The gate every HTTP request passes before any route (the API, the probes, metrics), on the event loop and without
 * blocking: CORS as Ollama's gin-contrib/cors configuration answers it, then Ollama's Host check against DNS
 * rebinding ({@link HostCheck}), then the optional API key, then the body
 * size: declared in {@code Content-Length}, or counted as a chunked body arrives. Refusals are JSON:
 * {@code {"error": ...}}, or OpenAI's shape under {@code /v1}. The {@code Authorization} header is never logged.
 */
@Singleton
public class AccessFilter {
    private static final Logger LOG = Logger.getLogger(AccessFilter.class);

    /** Reachable without the API key: what orchestrators and {@code curl /} poll. */
    static final Set<String> OPEN_PATHS = Set.of("/", "/health", "/q/health/live", "/q/health/ready",
            "/q/health/started");

    /** gin-contrib/cors' default methods and Ollama's header list, canonicalised as Go's http.CanonicalHeaderKey. */
    static final String ALLOW_METHODS = "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS";
    static final String ALLOW_HEADERS = String.join(",", "Authorization", "Content-Type", "User-Agent", "Accept",
            "X-Requested-With", "Openai-Beta", "X-Stainless-Arch", "X-Stainless-Async",
            "X-Stainless-Custom-Poll-Interval", "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-Os",
            "X-Stainless-Package-Version", "X-Stainless-Poll-Helper", "X-Stainless-Retry-Count", "X-Stainless-Runtime",
            "X-Stainless-Runtime-Version", "X-Stainless-Timeout");
    /** gin-contrib/cors' default: 12 hours. */
    static final String MAX_AGE = "43200";
    private static final java.util.List<String> PREFLIGHT_VARY = java.util.List.of("Origin",
            "Access-Control-Request-Method", "Access-Control-Request-Headers");

    private final AllowedOrigins origins;
    private final ApiKey apiKey;
    private final long maxBodyBytes;
    private final HostCheck hosts;

    AccessFilter(SecurityConfig config,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
                 @ConfigProperty(name = "quarkus.http.host") String bindHost) {
        this.hosts = HostCheck.forBind(bindHost);
        this.origins = AllowedOrigins.of(config.origins().orElse(null));
        this.apiKey = config.apiKey().filter(k -> !k.isBlank()).map(ApiKey::new).orElse(null);
        this.maxBodyBytes = maxBodySize.asLongValue();
        if (apiKey != null) LOG.info("API key required (QUOKKA_API_KEY is set)");
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, 1000); // higher priority runs earlier
    }

    void filter(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        HttpServerResponse response = rc.response();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !origin.isEmpty() && !sameOrigin(origin, request.host())) {
            if (!origins.allows(origin)) {
                response.setStatusCode(403).end(); // gin aborts with a bare 403
                return;
            }
            if (request.method() == HttpMethod.OPTIONS) {
                response.putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
                        .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
                        .putHeader("Access-Control-Max-Age", MAX_AGE);
                allowOrigin(response, origin, true);
                response.setStatusCode(204).end();
                return;
            }
            allowOrigin(response, origin, false);
        }
        if (hosts.enforced()) {
            String host = HostCheck.hostPart(request.getHeader(HttpHeaders.HOST));
            if (!hosts.allowsAddress(host)) {
                if (!hosts.allowsName(host)) {
                    response.setStatusCode(403).end(); // DNS rebinding: a foreign name for a loopback server
                    return;
                }
                if (request.method() == HttpMethod.OPTIONS) {
                    response.setStatusCode(204).end();
                    return;
                }
            }
        }
        String path = rc.normalizedPath();
        if (apiKey != null && !OPEN_PATHS.contains(path)
                && !apiKey.accepts(request.getHeader(HttpHeaders.AUTHORIZATION))) {
            response.putHeader("WWW-Authenticate", "Bearer");
            refuse(rc, 401, "unauthorized", "invalid_api_key");
            return;
        }
        // Blob uploads (model files, gigabytes) are streamed to disk and exempt, as from Quarkus' own limit.
        if (path.startsWith("/api/blobs/")) {
            rc.next();
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLong(length)) {
            refuse(rc, 413, tooLargeMessage(), null);
            return;
        }
        if (length == null && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            readChunkedBody(rc);
            return;
        }
        rc.next();
    }

    /**
     * A chunked body has no length to check up front. Left to the REST layer, one over the limit gets an empty 413
     * from Quarkus' body reader; so it is read here, counted as it arrives, and either refused with the same JSON
     * as a declared length (the connection closed, the rest unread) or handed on whole as the routing context's
     * body, which the REST layer reads instead of the request. A body under the limit is held in memory here; the
     * resources read every body into one array anyway.
     */
    private void readChunkedBody(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) return;
            if ((long) body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                request.pause();
                rc.response().endHandler(v -> request.connection().close());
                refuse(rc, 413, tooLargeMessage(), null);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> {
            if (!refused[0]) rc.fail(e);
        });
        request.endHandler(v -> {
            if (refused[0]) return;
            rc.setBody(body);
            rc.next();
        });
        // The REST layer's reader would have asked for the body; a client that waits for it (curl) waits here.
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) rc.response().writeContinue();
        request.resume();
    }

    private String tooLargeMessage() {
        return "request body too large: the limit is " + maxBodyBytes + " bytes";
    }

    private boolean tooLong(String contentLength) {
        try {
            return Long.parseLong(contentLength.strip()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec answers a malformed length itself
        }
    }

    /** gin-contrib/cors: an Origin that names this very server is not a cross-origin request. */
    private static boolean sameOrigin(String origin, String host) {
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private void allowOrigin(HttpServerResponse response, String origin, boolean preflight) {
        if (origins.allowsAll()) {
            response.putHeader("Access-Control-Allow-Origin", "*");
            return;
        }
        response.putHeader("Access-Control-Allow-Origin", origin);
        if (preflight) {
            response.putHeader("Vary", PREFLIGHT_VARY);
        } else {
            response.putHeader("Vary", "Origin");
        }
    }

    /** Answers {@code status} with Ollama's error body, or OpenAI's under {@code /v1}. */
    static void refuse(RoutingContext rc, int status, String message, String openAiCode) {
        String text = quote(message);
        String body = rc.normalizedPath().startsWith("/v1/")
                ? "{\"error\":{\"message\":" + text + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"
                  + (openAiCode == null ? "null" : quote(openAiCode)) + "}}"
                : "{\"error\":" + text + "}";
        HttpServerResponse response = rc.response();
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
        if (status == 413) response.putHeader(HttpHeaders.CONNECTION, "close"); // the body is not read
        response.end(body);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append("\\u%04x".formatted((int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
