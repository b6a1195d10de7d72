package io.quokka.toy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves that llama.cpp (b4916, through de.kherud:llama) loads and runs the toy models, and that its tokenizer
 * turns plain English into normal tokens. Each load leaks the model's memory until the JVM exits (a known
 * property of the wrapper); the models are tiny.
 */
class LlamaCppLoadTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void privateNativeTmpdir() throws Exception {
        // the library deletes every file starting with "llama" in its tmpdir on first load: give it its own
        Path natives = Files.createDirectories(dir.resolve("natives"));
        System.setProperty("de.kherud.llama.tmpdir", natives.toString());
    }

    static Stream<Arguments> variants() {
        ToyModelSpec tiny = ToyModelSpec.tiny();
        return Stream.of(
                Arguments.of("f32-gqa", tiny.withWeightType(TensorType.F32)),
                Arguments.of("f16-gqa", tiny.withWeightType(TensorType.F16)),
                Arguments.of("q8_0-gqa", tiny),
                Arguments.of("q4_0-gqa", tiny.withWeightType(TensorType.Q4_0)),
                Arguments.of("q8_0-mha-no-template", tiny.withShape(128, 2, 4, 4, 256).withChatTemplate(null)),
                Arguments.of("q4_0-mha-3-layers", tiny.withWeightType(TensorType.Q4_0).withShape(96, 3, 3, 3, 192)
                        .withVocabSize(400).withSeed(7)),
                Arguments.of("q8_0-100m", ToyModelSpec.about100MB()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void llamaCppLoadsAndGenerates(String label, ToyModelSpec spec) throws Exception {
        Path file = dir.resolve(label + ".gguf");
        ToyModel.write(spec, file);
        ToyVocab vocab = ToyVocab.build(spec);
        GgufFile header = GgufReader.read(file);   // what our reader accepts, llama.cpp must load
        assertTrue(header.headCountKv() == spec.headCountKv());

        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(256))) {
            String out = model.complete(new InferenceParameters("Hello").setNPredict(8).setTemperature(0));
            assertNotNull(out);
            assertFalse(out.isEmpty(), "greedy completion produced nothing");
            assertFalse(out.contains("\uFFFD"), "completion has broken UTF-8: " + out);

            int[] ids = model.encode("Hello world");
            assertTrue(ids.length > 0);
            for (int id : ids) {
                assertTrue(vocab.types()[id] == ToyVocab.NORMAL,
                        "token %d '%s' is not a normal token in %s".formatted(id, vocab.tokens().get(id), Arrays.toString(ids)));
            }
            System.out.printf("%s: 'Hello' -> '%s'; 'Hello world' -> %s%n", label, out, Arrays.toString(ids));
        }
    }
}
