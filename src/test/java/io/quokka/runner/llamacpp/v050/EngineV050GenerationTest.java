package io.quokka.runner.llamacpp.v050;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp v0.5.0 through {@link LlamaV050}, each run in a JVM of its own as a runner would: loads its libraries
 * and CPU backend, loads a generated toy model and generates greedily. Skipped when the engine cannot be had
 * ({@link CurrentEngine}).
 */
class EngineV050GenerationTest {
    static final Path DIR = Path.of("target", "engine-v050").toAbsolutePath();
    static Path engine;

    @BeforeAll
    static void engine() {
        engine = CurrentEngine.libraries();
    }

    static Path model(String name, ToyModelSpec spec) throws Exception {
        Path file = DIR.resolve(name);
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(DIR);
            Path tmp = Files.createTempFile(DIR, name, ".tmp");
            ToyModel.write(spec, tmp);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    // One thread: on a busy 2-core machine ggml's own thread pool (v0.5.0 is built without OpenMP) spin-waits between
    // graph nodes, and two threads fighting other processes for the cores made 16 toy tokens take seconds.
    static SmokeRun v050(Path model, int n) throws Exception {
        return SmokeRun.run(SmokeV050.class, Map.of("QUOKKA_LLAMA_DIR", engine.toString()), model.toString(),
                Integer.toString(n), "1", "Hello world");
    }

    /** With a thread pool of our own ({@code ggml_threadpool_new} through the CPU backend's registry). */
    static SmokeRun v050(Path model, int n, int threads, int poll) throws Exception {
        return SmokeRun.run(SmokeV050.class, Map.of("QUOKKA_LLAMA_DIR", engine.toString()), model.toString(),
                Integer.toString(n), Integer.toString(threads), "Hello world", Integer.toString(poll));
    }

    static SmokeRun b4916(Path model, int n) throws Exception {
        return SmokeRun.run(SmokeB4916.class, Map.of(), DIR.resolve("natives").toString(), model.toString(),
                Integer.toString(n), "1", "Hello world");
    }

    @Test
    void generatesGreedilyOnAToyLlamaModelLikeB4916() throws Exception {
        Path model = model("tiny-llama.gguf", ToyModelSpec.tiny());
        SmokeRun current = v050(model, 16);
        assertTrue(current.ok(), current.describe());
        assertTrue(current.values().get("system_info").contains("CPU"), current.describe());
        assertTrue(current.stderr().contains("load_backend: loaded CPU backend"), current.describe());
        int[] generated = current.ints("tokens");
        assertTrue(generated.length > 0, "nothing generated: " + current.describe());
        assertFalse(current.text().isEmpty());
        assertFalse(current.text().contains("\uFFFD"), current.text());
        // memory cleared, prompt decoded again, a penalties/top-k/dist chain: the same first token
        assertEquals(generated[0], Integer.parseInt(current.values().get("replay_first_token")), current.describe());
        // the toy's ChatML template, rendered by llama.cpp through a llama_chat_message array
        assertTrue(Integer.parseInt(current.values().get("chat_template_length")) > "Hello world".length(),
                current.describe());

        SmokeRun pooled = v050(model, 16, 2, 0);
        assertTrue(pooled.ok(), pooled.describe());
        assertArrayEquals(generated, pooled.ints("tokens"), "2 threads in a non-polling pool of our own");

        SmokeRun old = b4916(model, 16);
        assertTrue(old.ok(), old.describe());
        // the same tokenizer data: the same prompt tokens; greedy output on the same weights agrees too
        assertArrayEquals(old.ints("prompt_tokens"), current.ints("prompt_tokens"));
        assertArrayEquals(old.ints("tokens"), generated,
                "v0.5.0 '%s' vs b4916 '%s'".formatted(current.text(), old.text()));
        System.out.printf("tiny llama: v0.5.0 '%s' %s (prompt %d ms, 16 tokens %d ms); b4916 (prompt %d ms, %d ms)%n",
                current.text(), Arrays.toString(generated), current.millis("prompt_ms"), current.millis("generate_ms"),
                old.millis("prompt_ms"), old.millis("generate_ms"));
    }

    /** qwen3 (per-head q/k norms): the current engine generates with it; b4916 does not know the architecture. */
    @Test
    void generatesOnAToyQwen3ModelThatB4916Refuses() throws Exception {
        Path model = model("tiny-qwen3.gguf", ToyModelSpec.tiny().withName("qwen3-toy").withArchitecture("qwen3")
                .withBpeVocab("qwen2"));
        SmokeRun current = v050(model, 16);
        assertTrue(current.ok(), current.describe());
        assertTrue(current.stderr().contains("arch                  = qwen3")
                || current.stderr().contains("qwen3"), current.describe());
        assertTrue(current.ints("tokens").length > 0, "nothing generated: " + current.describe());
        assertFalse(current.text().contains("\uFFFD"), current.text());

        SmokeRun old = b4916(model, 4);
        assertFalse(old.ok(), "b4916 loaded a qwen3 model: " + old.describe());
        assertTrue(old.stderr().contains("unknown model architecture: 'qwen3'"), old.describe());
        System.out.printf("tiny qwen3: v0.5.0 '%s' %s; b4916: %s%n", current.text(),
                Arrays.toString(current.ints("tokens")), old.values().get("error"));
    }

    /**
     * qwen3moe (qwen3's attention, a router and 4 stacked experts per layer, 2 used per token): v0.5.0 reads the
     * expert keys and 3-D tensors and generates, with the experts quantized as Q8_0 and as Q4_0; b4916 does not know
     * the architecture.
     */
    @Test
    void generatesOnAToyQwen3MoeModelThatB4916Refuses() throws Exception {
        ToyModelSpec spec = ToyModelSpec.tiny().withName("qwen3moe-toy").withArchitecture("qwen3moe")
                .withBpeVocab("qwen2");
        Path model = model("tiny-qwen3moe.gguf", spec);
        SmokeRun current = v050(model, 16);
        assertTrue(current.ok(), current.describe());
        assertTrue(current.stderr().contains("qwen3moe"), current.describe());
        assertTrue(current.stderr().contains("n_expert              = 4")
                && current.stderr().contains("n_expert_used         = 2"), current.describe());
        int[] tokens = current.ints("tokens");
        assertEquals(16, tokens.length, "16 tokens asked for: " + current.describe());
        assertFalse(current.text().contains("\uFFFD"), current.text());

        Path q4 = model("tiny-qwen3moe-q4_0.gguf", spec.withWeightType(io.quokka.gguf.TensorType.Q4_0));
        SmokeRun quantized = v050(q4, 16);
        assertTrue(quantized.ok(), quantized.describe());
        assertEquals(16, quantized.ints("tokens").length, quantized.describe());

        SmokeRun old = b4916(model, 4);
        assertFalse(old.ok(), "b4916 loaded a qwen3moe model: " + old.describe());
        assertTrue(old.stderr().contains("unknown model architecture: 'qwen3moe'"), old.describe());
        System.out.printf("tiny qwen3moe: v0.5.0 Q8_0 '%s' %s (prompt %d ms, 16 tokens %d ms), Q4_0 '%s'; b4916: %s%n",
                current.text(), Arrays.toString(tokens), current.millis("prompt_ms"), current.millis("generate_ms"),
                quantized.text(), old.values().get("error"));
    }
}
