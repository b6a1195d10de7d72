package io.quokka.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * Body of the legacy {@code POST /api/embeddings}.
 *
 * @param model      model name
 * @param prompt     the text to embed; empty only loads the model
 * @param keep_alive how long the model stays loaded afterwards: seconds or a Go duration
 * @param options    model options
 */
@RegisterForReflection
public record EmbeddingRequest(String model, String prompt, JsonNode keep_alive, Map<String, Object> options) {}
