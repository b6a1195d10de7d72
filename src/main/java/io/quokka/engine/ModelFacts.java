package io.quokka.engine;

/**
 * What a runner reports about the model it loaded.
 *
 * @param contextLength   the context size actually allocated (llama.cpp {@code n_ctx})
 * @param trainedContext  the model's trained context ({@code n_ctx_train})
 * @param vocabSize       number of tokens in the vocabulary
 * @param chatTemplate    the GGUF {@code tokenizer.chat_template}, or null
 * @param loadNanos       wall time from spawning the runner to the model being ready
 */
public record ModelFacts(int contextLength, int trainedContext, int vocabSize, String chatTemplate, long loadNanos) {}
