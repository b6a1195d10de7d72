package io.quokka.engine;

import java.util.List;
import java.util.Objects;

/**
 * Embed each input, one vector per input, in order. Each input is tokenized like a prompt (special tokens parsed,
 * the vocabulary's BOS/EOS added). An input longer than the context window is cut to its first tokens when
 * {@code truncate} is true, and refused (a {@link EngineException.Kind#BAD_REQUEST}) otherwise.
 *
 * @param inputs   the texts, at least one
 * @param truncate cut over-long inputs instead of refusing them
 */
public record EmbeddingRequest(List<String> inputs, boolean truncate) {
    public EmbeddingRequest {
        Objects.requireNonNull(inputs, "inputs");
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) throw new IllegalArgumentException("no inputs to embed");
    }
}
