package io.quokka.runner.llamacpp.v050;

import io.quokka.runner.llamacpp.LlamaB4916;
import io.quokka.runner.llamacpp.NativeLibrary;
import java.nio.file.Path;

/**
 * {@link SmokeV050}'s greedy run on llama.cpp b4916 through the runner's binding {@link LlamaB4916}, for
 * side-by-side comparisons (same output format). Args: NATIVE_DIR MODEL [N [THREADS [PROMPT]]].
 */
public final class SmokeB4916 {
    private SmokeB4916() {}

    public static void main(String[] args) {
        Path model = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        String prompt = args.length > 4 ? args[4] : "Hello";
        SmokeV050.printAndHalt(() -> SmokeV050.generate(LlamaB4916.open(NativeLibrary.extract(Path.of(args[0]))),
                model, prompt, n, threads, -1));
    }
}
