package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quokka.api.ClientWatch;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}, OpenAI's shape over the same service as {@code /api/embed} (so vectors are
 * L2-normalised, and over-long inputs truncated), as Ollama's compatibility layer does: {@code input} a string or
 * an array of strings, {@code encoding_format} float or base64 (little-endian float32), {@code dimensions}.
 * Failures come back as OpenAI error objects.
 */
@Path("/v1/embeddings")
public class OpenAiEmbeddingsResource {
    private static final String JSON = "application/json";

    /**
     * The request body.
     *
     * @param model           model name
     * @param input           a string or an array of strings
     * @param encoding_format "float" (default) or "base64"
     * @param dimensions      keep only the first N values of each vector (then re-normalise)
     * @param user            accepted and ignored
     */
    @RegisterForReflection
    public record Request(String model, JsonNode input, String encoding_format, Integer dimensions, String user) {}

    /** One vector: a float array, or a base64 string of little-endian float32s. */
    @RegisterForReflection
    public record Embedding(String object, Object embedding, int index) {}

    /** Token counts: embeddings have only prompt tokens. */
    @RegisterForReflection
    public record Usage(int prompt_tokens, int total_tokens) {}

    /** The response body. */
    @RegisterForReflection
    public record EmbeddingList(String object, List<Embedding> data, String model, Usage usage) {}

    private final EmbeddingService service;
    private final ObjectMapper mapper;

    OpenAiEmbeddingsResource(EmbeddingService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RunOnVirtualThread
    public Response embeddings(byte[] body, @Context HttpServerResponse http) {
        try {
            return embed(body, http);
        } catch (Exception e) {
            return OpenAiErrors.of(e);
        }
    }

    private Response embed(byte[] body, HttpServerResponse http)
            throws EngineException, ServerBusyException, RequestCancelledException {
        Request req = decode(body);
        String format = req.encoding_format() == null ? "" : req.encoding_format();
        boolean base64 = format.equalsIgnoreCase("base64");
        if (!format.isEmpty() && !base64 && !format.equalsIgnoreCase("float")) {
            throw new InvalidRequestException("Invalid value for 'encoding_format' = " + format
                    + ". Supported values: ['float', 'base64'].");
        }
        List<String> inputs = inputs(req.input());
        CancelToken cancel = new CancelToken();
        ClientWatch.start(http, cancel); // ends with the response
        EmbeddingService.Embedded e =
                service.embed(new EmbeddingService.Command(req.model(), inputs, true, null, null), cancel);
        int dimensions = req.dimensions() == null ? 0 : req.dimensions();
        List<float[]> vectors = EmbeddingService.normalizeAll(e.embeddings(), dimensions);
        List<Embedding> data = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            data.add(new Embedding("embedding", base64 ? base64(vectors.get(i)) : vectors.get(i), i));
        }
        var list = new EmbeddingList("list", data, req.model(), new Usage(e.promptEvalCount(), e.promptEvalCount()));
        return Response.ok(list).type(JSON).build();
    }

    private Request decode(byte[] body) {
        if (body == null || body.length == 0) throw new InvalidRequestException("missing request body");
        try {
            Request req = mapper.readValue(body, Request.class);
            if (req == null) throw new InvalidRequestException("missing request body");
            return req;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidRequestException(io.quokka.api.ErrorMapper.describe(e, body)); // no Java type names on the wire
        } catch (IOException e) {
            throw new InvalidRequestException("invalid JSON");
        }
    }

    /** Ollama's reading: "" is one empty input; null or [] is refused; an array must hold only strings. */
    static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) throw new InvalidRequestException("invalid input");
        if (input.isTextual()) return List.of(input.asText());
        if (input.isArray()) {
            if (input.isEmpty()) throw new InvalidRequestException("invalid input");
            List<String> out = new ArrayList<>(input.size());
            for (JsonNode n : input) {
                if (!n.isTextual()) throw new InvalidRequestException("invalid input type");
                out.add(n.asText());
            }
            return out;
        }
        throw new InvalidRequestException("invalid input type");
    }

    /** Little-endian float32s, base64 (standard alphabet, padded), as the OpenAI SDKs decode them. */
    static String base64(float[] vector) {
        ByteBuffer buf = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) buf.putFloat(f);
        return Base64.getEncoder().encodeToString(buf.array());
    }
}
