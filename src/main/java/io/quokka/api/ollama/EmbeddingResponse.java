package io.quokka.api.ollama;

/**
 * Answer of the legacy {@code POST /api/embeddings}.
 *
 * @param embedding the model's pooled embedding, NOT normalised (as Ollama returns it); empty when only loading
 */
public record EmbeddingResponse(double[] embedding) {}
