package io.quokka.api;

import io.quokka.api.ollama.VersionResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /api/version}: the Ollama version whose API Quokka speaks (clients such as the {@code ollama} CLI
 * compare it with their own).
 */
@Path("/api/version")
public class VersionResource {
    @ConfigProperty(name = "quokka.ollama-version", defaultValue = "0.32.15")
    String version;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public VersionResponse version() {
        return new VersionResponse(version);
    }
}
