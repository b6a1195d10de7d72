package io.quokka.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code OLLAMA_HOST} into Quarkus' HTTP host and port, so {@code ./quokka serve} binds where
 * {@code ollama serve} would, and {@code OLLAMA_DEBUG} into the {@code io.quokka} log level (DEBUG, which includes
 * llama.cpp's own log forwarded from the runners). Its ordinal sits just below environment variables (300), so an explicit
 * {@code QUARKUS_HTTP_PORT} or system property still wins, and above {@code application.properties} (250).
 */
public final class OllamaEnvironmentConfigSource implements ConfigSource {
    private final Map<String, String> properties;

    static final String QUOKKA_LOG_LEVEL = "quarkus.log.category.\"io.quokka\".level";

    public OllamaEnvironmentConfigSource() {
        this(System.getenv("OLLAMA_HOST"), System.getenv("OLLAMA_DEBUG"));
    }

    OllamaEnvironmentConfigSource(String ollamaHost) {
        this(ollamaHost, null);
    }

    OllamaEnvironmentConfigSource(String ollamaHost, String ollamaDebug) {
        Map<String, String> p = new HashMap<>();
        if (ollamaHost != null && !ollamaHost.isBlank()) {
            OllamaHost host = OllamaHost.parse(ollamaHost);
            p.put("quarkus.http.host", host.bindHost());
            p.put("quarkus.http.port", String.valueOf(host.port()));
        }
        if (debug(ollamaDebug)) p.put(QUOKKA_LOG_LEVEL, "DEBUG");
        properties = Map.copyOf(p);
    }

    /** Ollama reads {@code OLLAMA_DEBUG} as a boolean or a level number: "1", "true", "2" turn debugging on. */
    static boolean debug(String value) {
        if (value == null) return false;
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("0") || v.equals("false") || v.equals("f")) return false;
        try {
            return Integer.parseInt(v) > 0;
        } catch (NumberFormatException e) {
            return v.equals("true") || v.equals("t");
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "OLLAMA_HOST";
    }

    @Override
    public int getOrdinal() {
        return 290;
    }
}
