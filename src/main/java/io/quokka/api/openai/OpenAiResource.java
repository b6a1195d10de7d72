package io.quokka.api.openai;

import io.quokka.api.GenerationResponder;
import io.quokka.api.MediaSupport;
import io.quokka.api.RequestBodies;
import io.quokka.engine.EngineException;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.StoreModelResolver;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.ServerBusyException;
import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import io.quokka.store.StoredModel;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The OpenAI-compatible endpoints Ollama serves under {@code /v1}: a translation layer in front of the native
 * generation (the same {@link GenerationService} as {@code /api/chat} and {@code /api/generate}), as Ollama's
 * {@code middleware/openai.go} is. Every failure of these endpoints answers in OpenAI's error shape.
 */
@Path("/v1")
public class OpenAiResource {
    private final GenerationService service;
    private final RequestBodies bodies;
    private final StoreModelResolver resolver;
    private final GgufInspector inspector;
    private final GenerationResponder responder;

    OpenAiResource(GenerationService service, RunStarter starter, RequestBodies bodies, StoreModelResolver resolver,
                   GgufInspector inspector) {
        this.service = service;
        this.bodies = bodies;
        this.resolver = resolver;
        this.inspector = inspector;
        this.responder = new GenerationResponder(service, starter);
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response chatCompletions(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        ChatCompletionRequest req = bodies.decode(body, ChatCompletionRequest.class);
        Translation.Chat chat = Translation.chat(req);
        GenerationService.Prepared prepared = service.prepare(chat.command());
        if (chat.hasMedia()) refuseMedia(prepared);
        boolean stream = Boolean.TRUE.equals(req.stream());
        var shape = new ChatShape(req.model(), StreamOptions.includeUsage(req.stream_options()));
        return responder.respond(prepared, stream, new SseFraming(shape, bodies.mapper()), http);
    }

    @POST
    @Path("/completions")
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response completions(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        CompletionRequest req = bodies.decode(body, CompletionRequest.class);
        GenerationService.Prepared prepared = service.prepare(Translation.completion(req));
        boolean stream = Boolean.TRUE.equals(req.stream());
        var shape = new CompletionShape(req.model(), StreamOptions.includeUsage(req.stream_options()));
        return responder.respond(prepared, stream, new SseFraming(shape, bodies.mapper()), http);
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList models() {
        List<Model> data = resolver.list().stream().map(l -> model(l.name(), l.model())).toList();
        return new ModelList("list", data);
    }

    /** A namespaced name ({@code user/model:tag}) spans two path segments. */
    @GET
    @Path("/models/{model: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Model model(@PathParam("model") String requested) {
        return model(requested, resolver.find(requested)); // an alias answers under its own name
    }

    private static Model model(String id, StoredModel m) {
        String owner;
        try {
            owner = ModelName.parse(id).namespace();
        } catch (InvalidModelNameException e) {
            owner = m.name().namespace();
        }
        return new Model(id, "model", m.modifiedAt().getEpochSecond(), owner);
    }

    private void refuseMedia(GenerationService.Prepared prepared) {
        MediaSupport.refuse(prepared, inspector);
    }

    @ServerExceptionMapper
    public Response openAiError(Exception e) {
        return OpenAiErrors.of(e);
    }
}
