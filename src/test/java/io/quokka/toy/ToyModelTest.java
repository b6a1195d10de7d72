package io.quokka.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.gguf.FileType;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.Quants;
import io.quokka.gguf.TensorInfo;
import io.quokka.gguf.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy writer: what it writes reads back with its spec's hyperparameters, seeded, where llama.cpp looks. */
class ToyModelTest {

    @TempDir
    Path dir;

    @Test
    void toyModelReadsBackWithItsHyperparameters() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ToyModelSpec spec = ToyModelSpec.tiny();
        ToyModel.write(spec, file);
        GgufFile f = GgufReader.read(file);

        assertEquals("llama", f.architecture().orElseThrow());
        assertEquals("quokka-toy-tiny", f.name().orElseThrow());
        assertEquals(FileType.MOSTLY_Q8_0, f.fileType().orElseThrow());
        assertEquals("Q8_0", f.quantizationLevel());
        assertEquals(2048, f.contextLength());
        assertEquals(128, f.embeddingLength());
        assertEquals(2, f.blockCount());
        assertEquals(4, f.headCount());
        assertEquals(2, f.headCountKv());
        assertArrayEquals(new long[] {2, 2}, f.headCountKvPerLayer());
        assertEquals(32, f.keyLength());
        assertEquals(32, f.valueLength());
        assertEquals(256, f.feedForwardLength());
        assertEquals(512, f.vocabSize());
        assertEquals("llama", f.tokenizerModel().orElseThrow());
        assertEquals(ToyModelSpec.CHATML, f.chatTemplate().orElseThrow());
        assertEquals(OptionalLong.of(1), f.bosTokenId());
        ToyVocab vocab = ToyVocab.build(spec);
        assertEquals("<|im_end|>", vocab.tokens().get((int) f.eosTokenId().orElseThrow()));
        assertEquals(2 + 2 * 9 + 1, f.tensors().size());

        long perLayer = 2L * 128 + 128 * 128 * 2 + 2L * 128 * 64 + 3L * 128 * 256;
        long expected = 2L * 512 * 128 + 128 + 2 * perLayer;
        assertEquals(expected, f.parameterCount());
        assertEquals("427K", f.parameterSize());   // 426,624
        assertTrue(f.weightsBytes() < Files.size(file));
        assertEquals(Files.size(file), f.fileSize());

        TensorInfo q = f.tensor("blk.0.attn_k.weight").orElseThrow();
        assertEquals(List.of(128L, 64L), q.dims(), "ggml order: ne0 = n_embd, ne1 = n_head_kv * head_dim");
        assertEquals(TensorType.Q8_0, q.type());
        assertEquals(TensorType.F32, f.tensor("output_norm.weight").orElseThrow().type());
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        ToyModelSpec spec = ToyModelSpec.tiny().withWeightType(TensorType.Q4_0);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        ToyModel.write(spec, a);
        ToyModel.write(spec, b);
        ToyModel.write(spec.withSeed(43), c);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
    }

    @Test
    void specRejectsShapesLlamaCppCannotUse() {
        ToyModelSpec tiny = ToyModelSpec.tiny();
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(100, 2, 4, 2, 256)); // 100 % 32
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(128, 2, 4, 3, 256)); // kv does not divide
        assertThrows(IllegalArgumentException.class, () -> tiny.withShape(128, 2, 4, 2, 250)); // ff % 32
        assertThrows(IllegalArgumentException.class, () -> tiny.withVocabSize(200));
        assertThrows(IllegalArgumentException.class, () -> tiny.withWeightType(TensorType.Q4_K));
        // F32 has no block constraint
        tiny.withWeightType(TensorType.F32).withShape(36, 1, 3, 1, 50);
    }

    @Test
    void toyModelRowsAreWhereLlamaCppLooksForThem() throws Exception {
        for (TensorType t : new TensorType[] {TensorType.Q8_0, TensorType.Q4_0, TensorType.F16}) {
            ToyModelSpec spec = ToyModelSpec.tiny().withWeightType(t);
            Path file = dir.resolve(t + ".gguf");
            ToyModel.write(spec, file);
            GgufFile f = GgufReader.read(file);
            ToyVocab vocab = ToyVocab.build(spec);
            int embd = spec.embeddingLength();

            float[][] tokenEmbd = rows(file, f, "token_embd.weight", embd);
            float[][] output = rows(file, f, "output.weight", embd);
            for (int tok = 0; tok < spec.vocabSize(); tok++) {
                assertEquals(2f, tokenEmbd[tok][0], 2f / 127, t + " constant dimension of token " + tok);
                for (int i = 1; i < embd; i++) {
                    assertTrue(Math.abs(tokenEmbd[tok][i]) <= 1.01f);
                }
                float expected = vocab.suppressed(tok) ? -30f : 0f;
                assertEquals(expected, output[tok][0], 30f / 127, t + " output row " + tok);
            }
            float[][] down = rows(file, f, "blk.0.ffn_down.weight", spec.feedForwardLength());
            for (float v : down[0]) {
                assertEquals(0f, v, 0f, "ffn_down never writes the constant dimension");
            }
        }
    }

    /** qwen3moe: the keys llama.cpp v0.5.0 reads, the router and the stacked experts in ggml order, any weight type. */
    @Test
    void qwen3moeHasARouterAndStackedExpertsInGgmlOrder() throws Exception {
        ToyModelSpec moe = ToyModelSpec.tiny().withArchitecture("qwen3moe");
        assertEquals(4, moe.variant().expertCount());
        assertEquals(2, moe.variant().expertUsedCount());
        assertTrue(moe.isMoe());
        assertEquals(0, moe.withArchitecture("qwen3").variant().expertCount(), "dense again: no experts");
        assertEquals(8, moe.withExperts(8, 3).withArchitecture("qwen3moe").variant().expertCount(), "kept");
        for (TensorType t : new TensorType[] {TensorType.Q8_0, TensorType.Q4_0, TensorType.F16}) {
            ToyModelSpec spec = moe.withWeightType(t).withExperts(4, 2);
            Path file = dir.resolve("moe-" + t + ".gguf");
            ToyModel.write(spec, file);
            GgufFile f = GgufReader.read(file);
            int embd = spec.embeddingLength();
            int ff = spec.feedForwardLength();

            assertEquals("qwen3moe", f.architecture().orElseThrow());
            assertEquals(4, f.expertCount());
            assertEquals(2, f.expertUsedCount());
            assertEquals(ff, f.expertFeedForwardLength());
            assertEquals(2L * ff, f.feedForwardLength(), "the used experts' combined width, as Qwen3's MoE files");
            assertEquals(2 + 2 * 12 + 1, f.tensors().size());
            assertTrue(f.tensor("blk.0.ffn_gate.weight").isEmpty());
            assertEquals(List.of(32L), f.tensor("blk.1.attn_q_norm.weight").orElseThrow().dims());
            assertEquals(List.of(32L), f.tensor("blk.1.attn_k_norm.weight").orElseThrow().dims());

            TensorInfo router = f.tensor("blk.0.ffn_gate_inp.weight").orElseThrow();
            assertEquals(List.of((long) embd, 4L), router.dims());
            assertEquals(TensorType.F32, router.type(), "the router stays F32, as quantizers leave it");
            for (String name : new String[] {"ffn_gate_exps", "ffn_up_exps"}) {
                TensorInfo e = f.tensor("blk.1." + name + ".weight").orElseThrow();
                assertEquals(List.of((long) embd, (long) ff, 4L), e.dims(), name);
                assertEquals(t, e.type());
                assertEquals(t.byteSize((long) embd * ff * 4), e.byteSize());
            }
            TensorInfo down = f.tensor("blk.1.ffn_down_exps.weight").orElseThrow();
            assertEquals(List.of((long) ff, (long) embd, 4L), down.dims());

            // each expert's slice: its output row 0 (the constant dimension) is zero, the other rows are not
            float[][] rows = rows(file, f, "blk.1.ffn_down_exps.weight", ff);
            assertEquals(4 * embd, rows.length);
            for (int e = 0; e < 4; e++) {
                for (float v : rows[e * embd]) {
                    assertEquals(0f, v, 0f, t + " expert " + e + " writes the constant dimension");
                }
                assertTrue(java.util.Arrays.stream(toDoubles(rows[e * embd + 1])).anyMatch(v -> v != 0), t + " expert " + e);
            }
            long perLayer = 2L * embd + 2 * 32 + (long) embd * embd * 2 + 2L * embd * 64 + (long) embd * 4
                    + 3L * embd * ff * 4;
            assertEquals(2L * 512 * embd + embd + 2 * perLayer, f.parameterCount());
        }
    }

    @Test
    void qwen3moeSpecRejectsImpossibleExperts() {
        ToyModelSpec moe = ToyModelSpec.tiny().withArchitecture("qwen3moe");
        assertThrows(IllegalArgumentException.class, () -> moe.withExperts(2, 3));
        assertThrows(IllegalArgumentException.class, () -> moe.withExperts(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ToyModelSpec.tiny().withExperts(4, 2), "llama has none");
        assertThrows(IllegalArgumentException.class, () -> moe.withWeightType(TensorType.Q8_0).withShape(128, 2, 4, 2, 80),
                "the expert width must hold whole blocks");
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static float[][] rows(Path file, GgufFile f, String name, int cols) throws Exception {
        TensorInfo t = f.tensor(name).orElseThrow();
        assertEquals(cols, t.dims().getFirst());
        int nRows = (int) (t.elementCount() / cols);
        ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file)) {
            ch.read(b, f.absoluteOffset(t));
        }
        b.flip();
        float[][] out = new float[nRows][cols];
        for (int r = 0; r < nRows; r++) {
            Quants.decode(t.type(), b, out[r], cols);
        }
        return out;
    }
}
