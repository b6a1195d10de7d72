package io.quokka.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quokka.api.ollama.CopyRequest;
import io.quokka.api.ollama.CreateRequest;
import io.quokka.api.ollama.DeleteRequest;
import io.quokka.api.ollama.ErrorResponse;
import io.quokka.api.ollama.Message;
import io.quokka.api.ollama.ProgressResponse;
import io.quokka.api.ollama.PushRequest;
import io.quokka.generation.InvalidRequestException;
import io.quokka.models.CreateCommand;
import io.quokka.models.ModelManager;
import io.quokka.store.ModelMessage;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code POST /api/create}, {@code POST /api/copy}, {@code DELETE /api/delete} and {@code POST /api/push} (501).
 * A create is checked in full before the answer starts, so every refusal keeps its status code; its status lines
 * then stream as NDJSON (or the last one alone with {@code "stream": false}). Blob uploads are {@link BlobRoutes}.
 */
@Path("/api")
public class ModelManagementResource {
    private static final Logger LOG = Logger.getLogger(ModelManagementResource.class);

    private final ModelManager manager;
    private final RequestBodies bodies;

    ModelManagementResource(ModelManager manager, RequestBodies bodies) {
        this.manager = manager;
        this.bodies = bodies;
    }

    @POST
    @Path("/create")
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response create(byte[] body) {
        CreateRequest req = bodies.decode(body, CreateRequest.class);
        refuseUnsupported(req);
        var command = new CreateCommand(or(req.model(), req.name()), req.from(), req.files(), req.template(),
                req.system(), req.parameters(), licenses(req.license()), messages(req.messages()), req.renderer(),
                req.parser(), req.requires());
        ModelManager.PreparedCreate prepared = manager.prepare(command);
        if (!RequestDecoding.streaming(req.stream())) {
            List<String> statuses = new ArrayList<>();
            prepared.write(statuses::add);
            return Response.ok(ProgressResponse.of(statuses.getLast())).type(NdjsonFraming.JSON).build();
        }
        StreamingOutput out = stream -> {
            try {
                prepared.write(status -> writeLine(stream, ProgressResponse.of(status)));
            } catch (UncheckedIOException gone) {
                // The client left; what was written stands (a manifest is written whole or not at all).
            } catch (RuntimeException e) {
                LOG.warnf("create failed: %s", e.getMessage());
                try {
                    writeLine(stream, new ErrorResponse(e.getMessage()));
                } catch (UncheckedIOException gone) {
                    // The client already left.
                }
            }
        };
        return Response.ok(out).type(NdjsonFraming.NDJSON).build();
    }

    @POST
    @Path("/copy")
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response copy(byte[] body) {
        CopyRequest req = bodies.decode(body, CopyRequest.class);
        manager.copy(req.source(), req.destination());
        return Response.ok().build();
    }

    @DELETE
    @Path("/delete")
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response delete(byte[] body) {
        DeleteRequest req = bodies.decode(body, DeleteRequest.class);
        manager.delete(or(req.model(), req.name()));
        return Response.ok().build();
    }

    @POST
    @Path("/push")
    @Consumes(MediaType.WILDCARD)
    public Response push(byte[] body) {
        PushRequest req = bodies.decode(body, PushRequest.class);
        if (or(req.model(), req.name()).isEmpty()) throw new InvalidRequestException("model is required");
        return ErrorMapper.error(501, "push is not implemented in Quokka: copy the store's blobs and manifest, "
                + "or push with ollama");
    }

    /** The fields of Ollama's create that Quokka does not do: a clear 400 instead of a silently different model. */
    private static void refuseUnsupported(CreateRequest req) {
        if (req.adapters() != null && !req.adapters().isEmpty()) {
            throw new InvalidRequestException("adapters are not supported: merge the LoRA into the GGUF first");
        }
        if (!or(req.quantize(), req.quantization()).isEmpty()) {
            throw new InvalidRequestException("quantize is not supported: create from a GGUF already quantized to "
                    + or(req.quantize(), req.quantization()).toUpperCase(java.util.Locale.ROOT));
        }
        if ((req.draft_files() != null && !req.draft_files().isEmpty()) || !or(req.draft_quantize(), "").isEmpty()) {
            throw new InvalidRequestException("draft models are not supported");
        }
        if (!or(req.remote_host(), "").isEmpty()) {
            throw new InvalidRequestException("remote models are not supported");
        }
    }

    /** {@code license}: a string or a list of strings, as Ollama accepts. */
    private static List<String> licenses(JsonNode license) {
        if (license == null || license.isNull()) return List.of();
        if (license.isTextual()) return List.of(license.asText());
        if (license.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode item : license) {
                if (!item.isTextual()) {
                    throw new InvalidRequestException("json: cannot unmarshal value into field license of type string");
                }
                out.add(item.asText());
            }
            return out;
        }
        throw new InvalidRequestException("unknown license type");
    }

    private static List<ModelMessage> messages(List<Message> messages) {
        if (messages == null) return List.of();
        return messages.stream().map(m -> new ModelMessage(m.role(), m.content(), m.thinking(), m.images(),
                m.tool_name(), "")).toList();
    }

    private void writeLine(OutputStream out, Object value) {
        try {
            out.write(bodies.mapper().writeValueAsBytes(value));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String or(String a, String b) {
        return a != null && !a.isEmpty() ? a : b == null ? "" : b;
    }
}
