package io.quokka.api;

import io.quokka.api.ollama.EmbeddingRequest;
import io.quokka.api.ollama.EmbeddingResponse;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.EmbeddingService;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The legacy {@code POST /api/embeddings}: one prompt, its embedding as the model produced it (not normalised, as
 * in Ollama). An over-long prompt is truncated to the context window.
 */
@Path("/api/embeddings")
public class EmbeddingsResource {
    private final EmbeddingService service;
    private final RequestBodies bodies;

    EmbeddingsResource(EmbeddingService service, RequestBodies bodies) {
        this.service = service;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response embeddings(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        EmbeddingRequest req = bodies.decode(body, EmbeddingRequest.class);
        List<String> inputs = req.prompt() == null || req.prompt().isEmpty() ? List.of() : List.of(req.prompt());
        CancelToken cancel = new CancelToken();
        ClientWatch.start(http, cancel); // ends with the response
        var command = new EmbeddingService.Command(req.model(), inputs, true, req.options(),
                RequestDecoding.keepAlive(req.keep_alive()));
        EmbeddingService.Embedded e = service.embed(command, cancel);
        double[] embedding = new double[0];
        if (!e.embeddings().isEmpty()) {
            float[] v = e.embeddings().getFirst();
            embedding = new double[v.length];
            for (int i = 0; i < v.length; i++) embedding[i] = v[i];
        }
        return Response.ok(new EmbeddingResponse(embedding)).type(NdjsonFraming.JSON).build();
    }
}
