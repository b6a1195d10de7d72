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
