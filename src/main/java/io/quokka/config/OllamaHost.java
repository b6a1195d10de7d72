package io.quokka.config;

import java.util.Locale;

/**
 * The address {@code OLLAMA_HOST} names, parsed as Ollama's {@code envconfig.Host} does: an optional
 * {@code scheme://} (http → default port 80, https → 443, none → 11434), then {@code host}, {@code host:port},
 * {@code :port} (every interface), {@code [::]} or {@code [::1]:port}; surrounding quotes and spaces are ignored,
 * and an invalid port falls back to the default.
 *
 * @param host the interface to bind, an empty string meaning every interface
 * @param port the TCP port
 */
public record OllamaHost(String host, int port) {

    public static final OllamaHost DEFAULT = new OllamaHost("127.0.0.1", 11434);

    public static OllamaHost parse(String value) {
        String s = value == null ? "" : value.strip();
        s = stripQuotes(s).strip();
        int defaultPort = 11434;
        int schemeEnd = s.indexOf("://");
        if (schemeEnd >= 0) {
            String scheme = s.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            s = s.substring(schemeEnd + 3);
            if (scheme.equals("http")) defaultPort = 80;
            else if (scheme.equals("https")) defaultPort = 443;
        }
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);

        String host;
        String port;
        int colon = s.lastIndexOf(':');
        boolean bracketed = s.startsWith("[");
        if (bracketed && s.indexOf(']') > 0 && s.indexOf(']') < s.length() - 1 && s.charAt(s.indexOf(']') + 1) == ':') {
            host = s.substring(1, s.indexOf(']'));
            port = s.substring(s.indexOf(']') + 2);
        } else if (!bracketed && colon >= 0 && s.indexOf(':') == colon) {
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        } else {
            // No port: a bare host name or IP address (possibly bracketed IPv6).
            host = s.isEmpty() ? "127.0.0.1" : s.replace("[", "").replace("]", "");
            port = String.valueOf(defaultPort);
        }
        return new OllamaHost(host, parsePort(port, defaultPort));
    }

    /** The value for {@code quarkus.http.host}: every interface (dual stack) when the host is empty. */
    public String bindHost() {
        return host.isEmpty() ? "::" : host;
    }

    private static int parsePort(String port, int defaultPort) {
        try {
            int n = Integer.parseInt(port);
            return n < 0 || n > 65535 ? defaultPort : n;
        } catch (NumberFormatException e) {
            return defaultPort;
        }
    }

    private static String stripQuotes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == '"' || s.charAt(start) == '\'')) start++;
        while (end > start && (s.charAt(end - 1) == '"' || s.charAt(end - 1) == '\'')) end--;
        return s.substring(start, end);
    }
}
