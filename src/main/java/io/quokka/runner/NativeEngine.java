package io.quokka.runner;

import io.quokka.runner.llamacpp.LlamaB4916;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.v050.LlamaV050;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the llama.cpp a runner was started with: release v0.5.0 from a directory, b4916 from its library file. */
final class NativeEngine {
    private NativeEngine() {}

    /** {@code library} is the engine directory of release v0.5.0, or the extracted b4916 {@code libjllama.so}. */
    static LlamaCpp open(Path library) {
        return Files.isDirectory(library) ? LlamaV050.open(library) : LlamaB4916.open(library);
    }
}
