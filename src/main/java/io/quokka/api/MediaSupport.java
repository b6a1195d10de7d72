package io.quokka.api;

import io.quokka.generation.Capabilities;
import io.quokka.generation.GenerationService;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.InvalidRequestException;
import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;

/**
 * Images (and audio) need a model that can see them: Ollama's capability error otherwise, a 400 naming the model.
 * No engine path takes images yet, so a vision model is refused too, rather than answering without its images.
 * One rule for the native and the OpenAI endpoints.
 */
public final class MediaSupport {
    private MediaSupport() {}

    public static void refuse(GenerationService.Prepared prepared, GgufInspector inspector) {
        var resolved = prepared.model();
        boolean vision = Capabilities.of(resolved.template(), inspector.inspect(resolved.modelFile()), resolved.hasProjector())
                .contains("vision");
        String name;
        try {
            name = ModelName.parse(resolved.name()).displayLong();
        } catch (InvalidModelNameException e) {
            name = resolved.name();
        }
        if (!vision) throw new InvalidRequestException(name + " does not support vision");
        throw new InvalidRequestException("image input is not supported by Quokka yet");
    }
}
