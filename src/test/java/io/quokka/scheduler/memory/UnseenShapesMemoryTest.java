package io.quokka.scheduler.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.KvCacheType;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.TensorType;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The estimate against the runner's RSS (as {@link MemoryEstimateEngineTest}, within 10%) on shapes unlike the toy's:
 * tied embeddings (no output.weight), a Q8_0 embedding under Q4_0 layers, qwen2's attention biases, byte-level BPE
 * vocabularies, SmolLM's 9 × 64 heads, F16.
 */
class UnseenShapesMemoryTest {

    static Stream<Arguments> shapes() {
        ToyModelSpec base = ToyModelSpec.tiny();
        return Stream.of(
                Arguments.of("qwen2-0.5b-heads-tied-q4-q8e", base.withArchitecture("qwen2").withBpeVocab("qwen2")
                        .withTiedEmbeddings(true).withWeightType(TensorType.Q4_0).withEmbeddingType(TensorType.Q8_0)
                        .withVocabSize(8001).withShape(896, 2, 14, 2, 4864), 1024, 512),
                Arguments.of("smollm-heads-tied-bpe", base.withBpeVocab("smollm").withTiedEmbeddings(true)
                        .withVocabSize(12001).withShape(576, 4, 9, 3, 1536), 1024, 256),
                Arguments.of("llama3-bpe-f16-tied", base.withBpeVocab("llama-bpe").withTiedEmbeddings(true)
                        .withWeightType(TensorType.F16).withVocabSize(20000).withShape(256, 2, 4, 1, 1024), 1024, 512));
    }

    @ParameterizedTest(name = "{0} ctx {2} batch {3}")
    @MethodSource("shapes")
    void estimateIsWithinTenPercentOfTheRunnersResidentMemory(String name, ToyModelSpec spec, int ctx, int batch)
            throws Exception {
        Path file = MemoryEstimateEngineTest.model(name, spec);
        GgufFile gguf = GgufReader.read(file);
        MemoryEstimate e = MemoryEstimate.of(gguf, ctx, batch, KvCacheType.F16, false,
                MemoryEstimate.Calibration.forRelease(MemoryEstimateEngineTest.ENGINE.engineRelease()));
        long[] rss = MemoryEstimateEngineTest.measure(file, gguf, ctx, batch);
        long loaded = e.total() - e.compute();
        String report = "%s: estimate %s, measured after load %d (estimate %d, %+.1f%%), after filling the context %d (estimate %d, %+.1f%%)"
                .formatted(name, e, rss[0], loaded, 100.0 * (loaded - rss[0]) / rss[0], rss[1], e.total(),
                        100.0 * (e.total() - rss[1]) / rss[1]);
        System.out.println(report);
        assertTrue(Math.abs(loaded - rss[0]) <= 0.10 * rss[0], report);
        assertTrue(Math.abs(e.total() - rss[1]) <= 0.10 * rss[1], report);
    }
}
