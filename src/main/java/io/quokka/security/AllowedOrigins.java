package io.quokka.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CORS origins Ollama allows ({@code envconfig.AllowedOrigins} matched as gin-contrib/cors does with
 * {@code AllowWildcard}): the configured {@code OLLAMA_ORIGINS} entries first, then http and https on localhost,
 * 127.0.0.1 and 0.0.0.0 with and without any port, then {@code app://*}, {@code file://*}, {@code tauri://*},
 * {@code vscode-webview://*} and {@code vscode-file://*}.
 *
 * <p>An entry without {@code *} matches exactly (ignoring, in the entry, case); an entry
 * with one {@code *} matches any origin starting with what precedes it and ending with what follows it; {@code *}
 * alone allows every origin. An entry with two {@code *}, or without {@code *} and without an http(s), browser
 * extension or file scheme, is refused at start-up, as gin refuses it.
 */
public final class AllowedOrigins {
    private static final List<String> SCHEMES = List.of("http://", "https://", "chrome-extension://",
            "safari-extension://", "moz-extension://", "ms-browser-extension://", "file://");

    private final boolean all;
    private final Set<String> exact;
    private final List<String[]> wildcards;

    private AllowedOrigins(boolean all, Set<String> exact, List<String[]> wildcards) {
        this.all = all;
        this.exact = exact;
        this.wildcards = wildcards;
    }

    /** Ollama's list with {@code configured} (the value of {@code OLLAMA_ORIGINS}, may be null) in front. */
    public static AllowedOrigins of(String configured) {
        List<String> entries = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            // Stripped, unlike gin (which refuses " http://x" and never matches " *.x"): "a, b" means what it says.
            for (String entry : configured.split(",")) if (!entry.isBlank()) entries.add(entry.strip());
        }
        for (String host : List.of("localhost", "127.0.0.1", "0.0.0.0")) {
            entries.add("http://" + host);
            entries.add("https://" + host);
            entries.add("http://" + host + ":*");
            entries.add("https://" + host + ":*");
        }
        entries.addAll(List.of("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"));

        boolean all = false;
        Set<String> exact = new LinkedHashSet<>();
        List<String[]> wildcards = new ArrayList<>();
        for (String entry : entries) {
            if (entry.equals("*")) all = true;
            int star = entry.indexOf('*');
            if (star < 0) {
                String lower = entry.toLowerCase(Locale.ROOT);
                if (SCHEMES.stream().noneMatch(lower::startsWith)) {
                    throw new IllegalArgumentException("OLLAMA_ORIGINS: bad origin '" + entry
                            + "': origins must contain '*' or start with http://, https://, file:// or a browser extension scheme");
                }
                exact.add(entry.strip().toLowerCase(Locale.ROOT));
            } else {
                if (entry.indexOf('*', star + 1) >= 0) {
                    throw new IllegalArgumentException("OLLAMA_ORIGINS: bad origin '" + entry + "': only one * is allowed");
                }
                wildcards.add(new String[] {entry.substring(0, star), entry.substring(star + 1)});
            }
        }
        return new AllowedOrigins(all, Set.copyOf(exact), List.copyOf(wildcards));
    }

    /** True when {@code *} is configured: answers carry {@code Access-Control-Allow-Origin: *}. */
    public boolean allowsAll() {
        return all;
    }

    /** Whether a browser page from {@code origin} (the request's {@code Origin} header, as sent) may call the API. */
    public boolean allows(String origin) {
        if (all || exact.contains(origin)) return true;
        for (String[] w : wildcards) {
            // gin's three cases collapse into one: a prefix and a suffix, either possibly empty.
            if (origin.startsWith(w[0]) && origin.endsWith(w[1])) return true;
        }
        return false;
    }
}
