package io.quokka.scheduler.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.TensorInfo;
import io.quokka.gguf.TensorType;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tensors llama.cpp's CPU backend holds a second, repacked copy of (see {@link WeightRepacking}). */
class WeightRepackingTest {
    @TempDir
    Path dir;

    GgufFile write(ToyModelSpec spec) throws Exception {
        Path file = dir.resolve(spec.name() + ".gguf");
        ToyModel.write(spec, file);
        return GgufReader.read(file);
    }

    static long bytes(GgufFile f, java.util.function.Predicate<TensorInfo> which) {
        return f.tensors().stream().filter(which).mapToLong(TensorInfo::byteSize).sum();
    }

    @Test
    void q4_0MatricesButNotTheEmbeddingLookupAreRepackedWithAvx2() throws Exception {
        GgufFile f = write(ToyModelSpec.tiny().withName("q4").withWeightType(TensorType.Q4_0));
        long matrices = bytes(f, t -> t.name().startsWith("blk.") && t.type() == TensorType.Q4_0);
        long output = bytes(f, t -> t.name().equals("output.weight"));
        assertEquals(matrices + output, WeightRepacking.repackedBytes(f, 8));
        assertEquals(0, WeightRepacking.repackedBytes(f, 0), "a CPU without AVX2 or NEON dotprod repacks nothing");
    }

    @Test
    void aTiedQ4_0EmbeddingIsRepackedForTheOutputLayer() throws Exception {
        GgufFile f = write(ToyModelSpec.tiny().withName("tied").withWeightType(TensorType.Q4_0).withTiedEmbeddings(true));
        assertEquals(bytes(f, t -> t.type() == TensorType.Q4_0), WeightRepacking.repackedBytes(f, 8));
        GgufFile q8e = write(ToyModelSpec.tiny().withName("tied-q8e").withWeightType(TensorType.Q4_0)
                .withTiedEmbeddings(true).withEmbeddingType(TensorType.Q8_0));
        assertEquals(bytes(q8e, t -> t.name().startsWith("blk.") && t.type() == TensorType.Q4_0),
                WeightRepacking.repackedBytes(q8e, 8));
    }

    /**
     * qwen3moe at Q4_0: the 3-D expert stacks are repacked too (llama.cpp v0.5.0 logs "repack tensor
     * blk.0.ffn_gate_exps.weight with q4_0_8x8"); the F32 router is not.
     */
    @Test
    void q4_0ExpertStacksAreRepackedLikeMatrices() throws Exception {
        GgufFile f = write(ToyModelSpec.tiny().withName("moe-q4").withArchitecture("qwen3moe")
                .withWeightType(TensorType.Q4_0));
        long exps = bytes(f, t -> t.name().endsWith("_exps.weight"));
        assertEquals(2 * 3 * TensorType.Q4_0.byteSize(128L * 256 * 4), exps);
        long matrices = bytes(f, t -> t.name().startsWith("blk.") && t.type() == TensorType.Q4_0);
        long output = bytes(f, t -> t.name().equals("output.weight"));
        assertEquals(matrices + output, WeightRepacking.repackedBytes(f, 8));
        assertEquals(exps + bytes(f, t -> t.name().matches("blk\\.\\d+\\.attn_(q|k|v|output)\\.weight")) + output,
                WeightRepacking.repackedBytes(f, 8));
    }

    @Test
    void otherTypesAreNotRepacked() throws Exception {
        assertEquals(0, WeightRepacking.repackedBytes(write(ToyModelSpec.tiny().withName("q8")), 8));
        assertEquals(0, WeightRepacking.repackedBytes(write(ToyModelSpec.tiny().withName("f16")
                .withWeightType(TensorType.F16)), 8));
    }
}
