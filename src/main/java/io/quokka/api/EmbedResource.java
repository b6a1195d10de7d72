package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quokka.api.ollama.EmbedRequest;
import io.quokka.api.ollama.EmbedResponse;
import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.generation.EmbeddingService;
import io.quokka.generation.InvalidRequestException;
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
import java.util.ArrayList;
import java.util.List;

/** {@code POST /api/embed}: L2-normalised embeddings, one per input. */
@Path("/api/embed")
public class EmbedResource {
    private final EmbeddingService service;
    private final RequestBodies bodies;

    EmbedResource(EmbeddingService service, RequestBodies bodies) {
        this.service = service;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response embed(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        EmbedRequest req = bodies.decode(body, EmbedRequest.class);
        List<String> inputs = inputs(req.input());
        CancelToken cancel = new CancelToken();
        ClientWatch.start(http, cancel); // ends with the response
        var command = new EmbeddingService.Command(req.model(), inputs, req.truncate() == null || req.truncate(),
                req.options(), RequestDecoding.keepAlive(req.keep_alive()));
        EmbeddingService.Embedded e = service.embed(command, cancel);
        int dimensions = req.dimensions() == null ? 0 : req.dimensions();
        var response = new EmbedResponse(req.model(), EmbeddingService.normalizeAll(e.embeddings(), dimensions),
                inputs.isEmpty() ? 0 : e.totalNanos(), inputs.isEmpty() ? 0 : e.loadNanos(), e.promptEvalCount());
        return Response.ok(response).type(NdjsonFraming.JSON).build();
    }

    /**
     * Ollama's reading of {@code input}: a non-empty string is one input, "" or null none; an array must hold only
     * strings.
     */
    static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) return List.of();
        if (input.isTextual()) return input.asText().isEmpty() ? List.of() : List.of(input.asText());
        if (input.isArray()) {
            List<String> out = new ArrayList<>(input.size());
            for (JsonNode n : input) {
                if (!n.isTextual()) throw new InvalidRequestException("invalid input type");
                out.add(n.asText());
            }
            return out;
        }
        throw new InvalidRequestException("invalid input type");
    }
}
