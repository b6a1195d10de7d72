package io.quokka.generation;

import io.quokka.gguf.GgufFile;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model can do, as Ollama's {@code Model.Capabilities} reports it: an embedding model (its GGUF declares
 * a pooling type) does embeddings instead of completion; the template's variables show tools, insert
 * (fill-in-the-middle, {@code .Suffix}) and thinking support.
 */
public final class Capabilities {
    private Capabilities() {}

    public static List<String> of(String template, GgufFile gguf) {
        List<String> caps = new ArrayList<>();
        String arch = gguf.architecture().orElse("");
        boolean embedding = gguf.metadata().containsKey(arch + ".pooling_type");
        caps.add(embedding ? "embedding" : "completion");
        if (template != null) {
            if (template.contains(".Tools")) caps.add("tools");
            if (template.contains(".Suffix")) caps.add("insert");
            if (template.contains(".Think")) caps.add("thinking");
        }
        if (gguf.metadata().containsKey(arch + ".vision.block_count")) caps.add("vision");
        return caps;
    }
}
