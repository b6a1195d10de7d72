package io.quokka.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/generate}.
 *
 * @param model     model name
 * @param prompt    prompt text; empty just loads the model
 * @param suffix    text after the model's response (fill-in-the-middle)
 * @param system    system prompt, overriding the model's
 * @param template  prompt template overriding the model's (Go template syntax)
 * @param context   tokens of an earlier response to continue from
 * @param stream    false for one JSON object instead of NDJSON
 * @param raw       pass the prompt unformatted, without the template
 * @param format    "json" or a JSON schema constraining the output
 * @param keepAlive how long the model stays loaded afterwards: seconds or a Go duration
 * @param images    base64 images, for vision models
 * @param options   model options (temperature, num_ctx, ...)
 * @param think     whether a thinking model should think
 * @param truncate  false refuses a prompt longer than the context instead of truncating it
 */
@RegisterForReflection
public record GenerateRequest(
        String model,
        String prompt,
        String suffix,
        String system,
        String template,
        List<Integer> context,
        Boolean stream,
        Boolean raw,
        JsonNode format,
        JsonNode keep_alive,
        List<String> images,
        Map<String, Object> options,
        JsonNode think,
        Boolean truncate) {}
