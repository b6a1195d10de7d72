package io.quokka.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/")
/** {@code GET /} and {@code HEAD /}: the liveness answer every Ollama client and script expects. */
public class RootResource {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String root() {
        return "Ollama is running";
    }
}
