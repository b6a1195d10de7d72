package io.quokka.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.ollama.ChatRequest;
import io.quokka.api.ollama.ChatResponse;
import io.quokka.api.ollama.Message;
import io.quokka.engine.EngineException;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.Outcome;
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
import io.quokka.generation.Reply;
import io.quokka.template.Msg;
import java.util.List;
import java.util.Locale;

/** {@code POST /api/chat}. */
@Path("/api/chat")
public class ChatResource {
    private final GenerationService service;
    private final GenerationResponder responder;
    private final ObjectMapper mapper;
    private final RequestBodies bodies;
    private final GgufInspector inspector;

    ChatResource(GenerationService service, RunStarter starter, RequestBodies bodies, GgufInspector inspector) {
        this.bodies = bodies;
        this.inspector = inspector;
        this.service = service;
        this.responder = new GenerationResponder(service, starter);
        this.mapper = bodies.mapper();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response chat(byte[] body, @Context HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        ChatRequest req = bodies.decode(body, ChatRequest.class);
        var command = new GenerationCommand.Chat(req.model(), turns(req.messages()),
                RequestDecoding.format(req.format()), RequestDecoding.keepAlive(req.keep_alive()), req.options(),
                !Boolean.FALSE.equals(req.truncate()), ToolDefinitions.tools(req.tools()),
                ToolDefinitions.think(req.think()));
        GenerationService.Prepared prepared = service.prepare(command);
        boolean images = req.messages() != null && req.messages().stream()
                .anyMatch(m -> m != null && m.images() != null && !m.images().isEmpty());
        if (images) MediaSupport.refuse(prepared, inspector);
        String model = req.model();
        return responder.respond(prepared, RequestDecoding.streaming(req.stream()), new NdjsonFraming(new NdjsonFraming.Shape() {
            @Override
            public Object noWork(String doneReason) {
                return ChatResponse.doneWithoutWork(model, doneReason);
            }

            @Override
            public Object chunk(Reply piece) {
                return ChatResponse.chunk(model, piece);
            }

            @Override
            public Object textChunk(String createdAt, String text) {
                return ChatResponse.chunk(model, createdAt, Reply.content(text));
            }

            @Override
            public Object done(Reply reply, Outcome o) {
                var r = o.result();
                return ChatResponse.done(model, reply, r.doneReason().wireName, o.totalNanos(), o.loadNanos(),
                        r.promptEvalCount(), r.promptEvalNanos(), r.evalCount(), r.evalNanos());
            }
        }, mapper), http);
    }

    private static List<ChatTurn> turns(List<Message> messages) {
        if (messages == null) return List.of();
        return messages.stream().map(m -> {
            if (m == null) throw new InvalidRequestException("messages must be objects");
            // Ollama lower-cases roles as it decodes them and passes them to the template unchecked; so do we.
            String role = m.role() == null ? "" : m.role().toLowerCase(Locale.ROOT);
            List<Msg.ToolCall> calls = m.tool_calls() == null ? List.of()
                    : m.tool_calls().stream().map(c -> c == null ? Msg.ToolCall.of("", null) : c.toDomain()).toList();
            return new ChatTurn(role, m.content(), m.thinking(), calls, m.tool_name(), m.tool_call_id());
        }).toList();
    }
}
