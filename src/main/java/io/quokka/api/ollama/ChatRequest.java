package io.quokka.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/chat}.
 *
 * @param model      model name
 * @param messages   the conversation; empty just loads the model
 * @param stream     false for one JSON object instead of NDJSON
 * @param format     "json" or a JSON schema constraining the output
 * @param keep_alive how long the model stays loaded afterwards: seconds or a Go duration
 * @param tools      functions the model may call
 * @param options    model options (temperature, num_ctx, ...)
 * @param think      whether a thinking model should think
 * @param truncate   false refuses a prompt longer than the context instead of truncating it
 */
@RegisterForReflection
public record ChatRequest(
        String model,
        List<Message> messages,
        Boolean stream,
        JsonNode format,
        JsonNode keep_alive,
        List<JsonNode> tools,
        Map<String, Object> options,
        JsonNode think,
        Boolean truncate) {}
