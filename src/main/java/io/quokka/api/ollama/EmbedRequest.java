package io.quokka.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * Body of {@code POST /api/embed}.
 *
 * @param model      model name
 * @param input      a string or an array of strings to embed; absent or "" only loads the model
 * @param truncate   false refuses an input longer than the context window instead of cutting it (default true)
 * @param dimensions keep only the first N values of each vector (then re-normalise); 0 or absent keeps all
 * @param keep_alive how long the model stays loaded afterwards: seconds or a Go duration
 * @param options    model options (num_ctx, num_batch, num_thread, ...)
 */
@RegisterForReflection
public record EmbedRequest(
        String model,
        JsonNode input,
        Boolean truncate,
        Integer dimensions,
        JsonNode keep_alive,
        Map<String, Object> options) {}
