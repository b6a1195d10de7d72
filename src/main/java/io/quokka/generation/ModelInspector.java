package io.quokka.generation;

import java.nio.file.Path;

/**
 * Reads what generation needs from a model file before anything is loaded, and rejects a malformed file with a
 * clear message so llama.cpp never sees it.
 */
public interface ModelInspector {

    /**
     * The model's trained context length, 0 when it does not say.
     *
     * @throws ModelUnusableException when the file is not a valid GGUF model
     */
    int trainedContext(Path modelFile);
}
