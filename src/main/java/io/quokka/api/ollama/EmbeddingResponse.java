package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Answer of the legacy {@code POST /api/embeddings}.
 *
 * @param embedding the model's pooled embedding, NOT normalised (as Ollama returns it); empty when only loading
 */
@RegisterForReflection
public record EmbeddingResponse(double[] embedding) {}
