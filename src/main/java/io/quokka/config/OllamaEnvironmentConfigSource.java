package io.quokka.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code OLLAMA_HOST} into Quarkus' HTTP host and port, so {@code ./quokka serve} binds where
 * {@code ollama serve} would. Its ordinal sits just below environment variables (300), so an explicit
 * {@code QUARKUS_HTTP_PORT} or system property still wins, and above {@code application.properties} (250).
 */
public final class OllamaEnvironmentConfigSource implements ConfigSource {
    private final Map<String, String> properties;

    public OllamaEnvironmentConfigSource() {
        this(System.getenv("OLLAMA_HOST"));
    }

    OllamaEnvironmentConfigSource(String ollamaHost) {
        if (ollamaHost == null || ollamaHost.isBlank()) {
            properties = Map.of();
        } else {
            OllamaHost host = OllamaHost.parse(ollamaHost);
            properties = Map.of("quarkus.http.host", host.bindHost(), "quarkus.http.port", String.valueOf(host.port()));
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
