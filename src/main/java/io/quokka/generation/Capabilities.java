package io.quokka.generation;

import io.quokka.gguf.GgufFile;
import io.quokka.template.PromptTemplate;
import io.quokka.gotemplate.TemplateException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model can do, as Ollama's {@code Model.Capabilities} reports it: an embedding model (its GGUF declares
 * a pooling type) does embeddings instead of completion; the template's variables show tools, insert
 * (fill-in-the-middle, {@code .Suffix}) and thinking support; a vision encoder in the GGUF or a projector layer in
 * the manifest makes a vision model. Ollama's order: completion or embedding, vision, then the template's.
 */
public final class Capabilities {
    private Capabilities() {}

    public static List<String> of(String template, GgufFile gguf) {
        return of(template, gguf, false);
    }

    public static List<String> of(String template, GgufFile gguf, boolean hasProjector) {
        List<String> caps = new ArrayList<>();
        String arch = gguf.architecture().orElse("");
        boolean embedding = gguf.metadata().containsKey(arch + ".pooling_type");
        caps.add(embedding ? "embedding" : "completion");
        if (hasProjector || gguf.metadata().containsKey(arch + ".vision.block_count")) caps.add("vision");
        if (template != null) {
            try {
                caps.addAll(PromptTemplate.parse(template).capabilities());
            } catch (TemplateException e) {
                // A template that does not parse grants nothing; requests using it get the parse error.
            }
        }
        return caps;
    }
}
