package io.quokka.generation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A store entry resolved for serving: its weights, its prompt layers and the GGUF facts generation needs.
 *
 * @param name            the display name ({@code llama3.2:latest})
 * @param digest          the manifest digest, hex
 * @param modelFile       the GGUF blob, structurally validated
 * @param trainedContext  the model's trained context length, 0 when unknown
 * @param template        the Ollama template layer (Go template), or null
 * @param system          the system layer, or null
 * @param params          the params layer (option defaults for this model)
 * @param messages        the messages layer, prepended to chats
 * @param description     facts for {@code /api/ps}, passed through
 * @param hasProjector    the manifest has a projector layer: a vision model to Ollama
 */
public record ResolvedModel(
        String name,
        String digest,
        Path modelFile,
        int trainedContext,
        String template,
        String system,
        Map<String, Object> params,
        List<ChatTurn> messages,
        Object description,
        boolean hasProjector) {

    /** A model without a projector layer. */
    public ResolvedModel(String name, String digest, Path modelFile, int trainedContext, String template,
                         String system, Map<String, Object> params, List<ChatTurn> messages, Object description) {
        this(name, digest, modelFile, trainedContext, template, system, params, messages, description, false);
    }
}
