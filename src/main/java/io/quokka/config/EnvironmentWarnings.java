package io.quokka.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Logs, once the server runs, the {@code OLLAMA_*} values it ignored (as Ollama warns "invalid environment variable,
 * using default"). The config source itself is created before logging is set up, and more than once.
 */
@Singleton
public class EnvironmentWarnings {
    private static final Logger LOG = Logger.getLogger(EnvironmentWarnings.class);

    void onStart(@Observes StartupEvent event) {
        new OllamaEnvironmentConfigSource().warnings().forEach(LOG::warn);
    }
}
