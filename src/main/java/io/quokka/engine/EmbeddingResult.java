package io.quokka.engine;

import java.util.List;

/**
 * The pooled embeddings of an {@link EmbeddingRequest}, as the model produced them: NOT normalised (Ollama's legacy
 * {@code /api/embeddings} returns them so; {@code /api/embed} normalises them itself).
 *
 * @param embeddings      one vector of {@code n_embd} floats per input, in input order
 * @param promptEvalCount tokens evaluated over all inputs (after truncation, special tokens included)
 * @param promptEvalNanos time spent evaluating them
 */
public record EmbeddingResult(List<float[]> embeddings, int promptEvalCount, long promptEvalNanos) {
    public EmbeddingResult {
        embeddings = List.copyOf(embeddings);
    }
}
