package io.quokka.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The toy writer's variants that look like real small models (byte-level BPE vocabularies, tied embeddings, mixed
 * tensor types, qwen2 with attention biases, SmolLM's 9/3 heads of dim 64, odd vocabulary sizes): our reader
 * accepts each, llama.cpp b4916 loads it, tokenizes English into normal tokens and generates valid text.
 */
class UnseenShapesLoadTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void privateNativeTmpdir() throws Exception {
        Path natives = Files.createDirectories(dir.resolve("natives"));
        System.setProperty("de.kherud.llama.tmpdir", natives.toString());
    }

    static final String LLAMA3 = "{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
            + "{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";

    static Stream<Arguments> variants() {
        ToyModelSpec tiny = ToyModelSpec.tiny();
        return Stream.of(
                Arguments.of("qwen2-bpe-tied-q4-q8embd", tiny.withArchitecture("qwen2").withBpeVocab("qwen2")
                        .withTiedEmbeddings(true).withWeightType(TensorType.Q4_0).withEmbeddingType(TensorType.Q8_0)
                        .withVocabSize(1001)),
                Arguments.of("llama3-bpe-f16", tiny.withBpeVocab("llama-bpe").withChatTemplate(LLAMA3)
                        .withWeightType(TensorType.F16).withVocabSize(777)),
                Arguments.of("smollm-shape-tied", tiny.withBpeVocab("smollm").withShape(576, 2, 9, 3, 1536)
                        .withTiedEmbeddings(true).withVocabSize(1537)),
                Arguments.of("mha-default-pre-no-template", tiny.withBpeVocab("default").withShape(128, 2, 4, 4, 256)
                        .withChatTemplate(null).withVocabSize(515)),
                Arguments.of("llama-spm-tied-f16-embd", tiny.withTiedEmbeddings(true).withEmbeddingType(TensorType.F16)
                        .withWeightType(TensorType.Q4_0).withVocabSize(601)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void readsLoadsAndGenerates(String label, ToyModelSpec spec) throws Exception {
        Path file = dir.resolve(label + ".gguf");
        ToyModel.write(spec, file);
        ToyVocab vocab = ToyVocab.build(spec);
        GgufFile header = GgufReader.read(file);
        assertEquals(spec.vocabSize(), header.vocabSize());
        assertEquals(spec.variant().tiedEmbeddings(), header.tensor("output.weight").isEmpty());

        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(256))) {
            String out = model.complete(new InferenceParameters("Hello").setNPredict(12).setTemperature(0));
            assertFalse(out.isEmpty(), "greedy completion produced nothing");
            assertFalse(out.contains("\uFFFD"), "completion has broken UTF-8: " + out);
            int[] ids = model.encode("Hello world, how are you?");
            for (int id : ids) {
                assertTrue(vocab.types()[id] == ToyVocab.NORMAL,
                        "token %d '%s' is not normal in %s".formatted(id, vocab.tokens().get(id), Arrays.toString(ids)));
            }
            System.out.printf("%s: 'Hello' -> '%s'; ids %s%n", label, out, Arrays.toString(ids));
        }
    }

    @Test
    void favouredSplitCharacterTokenIsAlwaysPicked() throws Exception {
        ToyModelSpec spec = ToyModelSpec.tiny().withBpeVocab("qwen2").withFavouredSplitCharacter(true);
        Path file = dir.resolve("split.gguf");
        ToyModel.write(spec, file);
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(256))) {
            String out = model.complete(new InferenceParameters("Hello").setNPredict(5).setTemperature(0.8f));
            System.out.println("split: " + out);
            assertTrue(out.contains(" k\uD83E\uDD98 k"), out);
        }
    }
}
