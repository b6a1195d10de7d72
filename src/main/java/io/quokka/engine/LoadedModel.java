package io.quokka.engine;

import java.util.List;

/**
 * A model resident in its own runner process. Thread-safe: up to {@code numParallel} generations from several
 * threads run at once as llama.cpp sequences batched together, the rest wait in arrival order; an embedding request
 * waits until no generation runs. {@link #close()} ends the runner, returning all of its memory.
 */
public interface LoadedModel extends AutoCloseable {

    /** Facts the runner read from the loaded model and its context. */
    ModelFacts facts();

    /** The runner's operating-system process id. */
    long pid();

    /** False once the runner process has exited (closed, crashed or killed). */
    boolean isAlive();

    /** Resident set size of the runner process in bytes, or -1 when unknown. */
    long residentBytes();

    /** Tokenizes text with the model's vocabulary; special tokens in the text are parsed as such. */
    int[] tokenize(String text, boolean addSpecial) throws EngineException;

    /**
     * Renders chat messages with llama.cpp's built-in template support (the llama.cpp C API
     * {@code llama_chat_apply_template}), using {@code template} or, when null, the model's
     * {@code tokenizer.chat_template}.
     *
     * @throws EngineException of kind {@link EngineException.Kind#BAD_REQUEST} when llama.cpp does not know the
     *                         template (for example a custom Jinja template)
     */
    String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistantPrefix)
            throws EngineException;

    /**
     * Runs one generation, blocking the calling thread until it ends. Text is delivered to {@code listener} as
     * it is produced, each piece complete UTF-8 and with stop strings (and anything after them) withheld.
     * Cancelling {@code cancel} stops it within about one token (or during prompt processing); the result then
     * has {@link DoneReason#CANCELLED}.
     *
     * @throws EngineException when the runner fails or dies; pieces already delivered stay delivered
     */
    GenerationResult generate(GenerationRequest request, TokenListener listener, CancelToken cancel)
            throws EngineException;

    /**
     * Computes one pooled embedding per input (pooling as the GGUF's {@code <arch>.pooling_type} says: mean, CLS
     * or last token; last token when it says none, as Ollama's runner does for generative models), blocking the
     * calling thread. The vectors are not normalised. Runs on the same context as generations, one request at a
     * time; cancelling {@code cancel} stops it between (or during) decodes.
     *
     * @throws EngineException of kind {@link EngineException.Kind#BAD_REQUEST} when an input exceeds the context
     *                         and {@code request.truncate()} is false; of another kind when the runner fails
     */
    default EmbeddingResult embed(EmbeddingRequest request, CancelToken cancel) throws EngineException {
        throw new EngineException(EngineException.Kind.BAD_REQUEST, "this engine does not support embeddings");
    }

    /** Ends the runner process (gracefully, then forcibly). Idempotent. */
    @Override
    void close();
}
