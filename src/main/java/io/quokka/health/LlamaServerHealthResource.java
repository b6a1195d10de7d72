package io.quokka.health;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /health}, for tools that expect llama-server's probe: 503 {@code {"status":"loading model"}} until
 * ready, then 200 {@code {"status":"ok"}}; 503 {@code {"status":"error","error":...}} when readiness failed.
 */
@Path("/health")
public class LlamaServerHealthResource {
    private final ReadinessEvaluator readiness;

    LlamaServerHealthResource(ReadinessEvaluator readiness) {
        this.readiness = readiness;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        var verdict = readiness.check();
        return switch (verdict.status()) {
            case READY -> Response.ok(Map.of("status", "ok")).build();
            case LOADING -> Response.status(503).entity(Map.of("status", "loading model")).build();
            case FAILED, SHUTTING_DOWN -> Response.status(503)
                    .entity(Map.of("status", "error", "error", verdict.reason())).build();
        };
    }
}
