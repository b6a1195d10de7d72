package io.quokka.api;

import io.quokka.api.ollama.GenerateRequest;
import io.quokka.api.ollama.GenerateResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.engine.EngineException;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
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
import java.util.Arrays;
import java.util.List;

/** {@code POST /api/generate}. */
@Path("/api/generate")
public class GenerateResource {
    private final GenerationService service;
    private final GenerationResponder responder;
    private final ObjectMapper mapper;
    private final RequestBodies bodies;
    private final GgufInspector inspector;

    GenerateResource(GenerationService service, RunStarter starter, RequestBodies bodies, GgufInspector inspector) {
        this.bodies = bodies;
        this.inspector = inspector;
        this.service = service;
        this.responder = new GenerationResponder(service, starter);
        this.mapper = bodies.mapper();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response generate(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        GenerateRequest req = bodies.decode(body, GenerateRequest.class);
        var command = new GenerationCommand.Generate(req.model(), req.prompt(), req.suffix(), req.system(),
                req.template(), RequestDecoding.context(req.context()), Boolean.TRUE.equals(req.raw()),
                RequestDecoding.format(req.format()), RequestDecoding.keepAlive(req.keep_alive()), req.options(),
                !Boolean.FALSE.equals(req.truncate()), ToolDefinitions.think(req.think()));
        GenerationService.Prepared prepared = service.prepare(command);
        if (req.images() != null && !req.images().isEmpty()) MediaSupport.refuse(prepared, inspector);
        String model = req.model();
        boolean raw = command.raw();
        return responder.respond(prepared, RequestDecoding.streaming(req.stream()), new NdjsonFraming(new NdjsonFraming.Shape() {
            @Override
            public Object noWork(String doneReason) {
                return GenerateResponse.doneWithoutWork(model, doneReason);
            }

            @Override
            public Object chunk(Reply piece) {
                return GenerateResponse.chunk(model, piece.content(), piece.thinking());
            }

            @Override
            public Object textChunk(String createdAt, String text) {
                return GenerateResponse.chunk(model, createdAt, text, null);
            }

            @Override
            public Object done(Reply reply, Outcome o) {
                var r = o.result();
                List<Integer> context = raw ? null : Arrays.stream(r.context()).boxed().toList();
                return GenerateResponse.done(model, reply.content(), reply.thinking(), r.doneReason().wireName,
                        context, o.totalNanos(),
                        o.loadNanos(), r.promptEvalCount(), r.promptEvalNanos(), r.evalCount(), r.evalNanos());
            }
        }, mapper), http);
    }
}
