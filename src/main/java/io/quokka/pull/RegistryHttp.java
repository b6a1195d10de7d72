package io.quokka.pull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * HTTP as Ollama's registry client speaks it: GETs that follow up to ten redirects to any host (a registry sends
 * blobs to a CDN), keeping their headers ({@code Range}); errors worded as Ollama words them (a 404 is
 * {@code file does not exist}, another error status {@code <code>: <body>}).
 */
final class RegistryHttp {
    static final int MAX_REDIRECTS = 10;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Until the response headers arrive; the body's progress is watched separately (a stall is retried). */
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private final String userAgent;

    RegistryHttp(String userAgent) {
        this.userAgent = userAgent;
    }

    /** An error status; {@link #isTransient()} ones (5xx, 408, 429) are retried. */
    static final class StatusException extends IOException {
        final int status;

        StatusException(int status, String body) {
            super(status == 404 ? "file does not exist" : status + ": " + body.strip());
            this.status = status;
        }

        boolean isTransient() {
            return status >= 500 || status == 408 || status == 429;
        }
    }

    /**
     * The host could not be reached at all: its name does not resolve, it refused the connection, there is no route
     * to it, or the connection timed out. Worded as Go's dial error; Ollama does not retry it, and neither does a pull
     * before the server has answered once.
     */
    static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An open response with a 2xx status: its body must be closed. */
    record Opened(URI uri, int status, HttpHeaders headers, InputStream body) implements Closeable {
        OptionalLong contentLength() {
            return headers.firstValueAsLong("content-length");
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** GET following redirects; a 2xx is returned open, an error status is a {@link StatusException}. */
    Opened get(URI uri, Map<String, String> headers) throws IOException {
        return send("GET", uri, headers);
    }

    /** HEAD following redirects (a direct URL's size). */
    Opened head(URI uri) throws IOException {
        return send("HEAD", uri, Map.of());
    }

    /** The whole body of a GET. */
    byte[] getBytes(URI uri, Map<String, String> headers) throws IOException {
        try (Opened o = get(uri, headers)) {
            return o.body().readAllBytes();
        }
    }

    private Opened send(String method, URI uri, Map<String, String> headers) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(HEADERS_TIMEOUT)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", userAgent);
            headers.forEach(b::header);
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
                throw new Unreachable(goMethod(method) + " \"" + current + "\": " + dialError(current, e), e);
            } catch (IOException e) {
                throw new IOException(describe(method, current, e), e);
            }
            int status = r.statusCode();
            if (status >= 300 && status < 400 && r.headers().firstValue("location").isPresent()) {
                r.body().close();
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException("maximum redirects exceeded (" + MAX_REDIRECTS + ") for " + uri);
                }
                current = current.resolve(r.headers().firstValue("location").get());
                continue;
            }
            if (status >= 400) {
                String body;
                try (InputStream in = r.body()) {
                    body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                }
                throw new StatusException(status, body);
            }
            return new Opened(current, status, r.headers(), r.body());
        }
    }

    /** Go's wording of a failed request: {@code Get "https://host/path": <reason>}. */
    private static String describe(String method, URI uri, IOException e) {
        String reason = firstMessage(e);
        return goMethod(method) + " \"" + uri + "\": " + (reason == null ? e.getClass().getSimpleName() : reason);
    }

    /**
     * Go's dial error for a connection that could not be made: {@code dial tcp: lookup <host>: no such host},
     * {@code dial tcp <ip>:<port>: connect: connection refused} (or {@code network is unreachable}, ...), or
     * {@code dial tcp <ip>:<port>: i/o timeout}. The JDK's client says only that connecting failed; the address is
     * looked up again (from the resolver's cache) to name it as Go does.
     */
    private static String dialError(URI uri, IOException e) {
        String host = uri.getHost() == null ? "" : uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        boolean unresolved = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            unresolved |= t instanceof java.nio.channels.UnresolvedAddressException || t instanceof UnknownHostException;
        }
        InetAddress address = null;
        if (!unresolved) {
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException gone) {
                unresolved = true;
            }
        }
        if (unresolved) return "dial tcp: lookup " + host + ": no such host";
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String ip = address.getHostAddress();
        String target = "dial tcp " + (address instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port + ": ";
        if (e instanceof java.net.http.HttpConnectTimeoutException) return target + "i/o timeout";
        String reason = firstMessage(e);
        return target + "connect: " + (reason == null ? "connection refused" : reason.toLowerCase(Locale.ROOT));
    }

    private static String firstMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        }
        return null;
    }

    private static String goMethod(String method) {
        return method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }
}
