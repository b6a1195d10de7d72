package io.quokka.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of a small valid file: whatever the bytes, the reader either returns a GgufFile or
 * throws GgufException, and quickly. Mutations aim at the header, where the structure is.
 */
class GgufFuzzTest {
    private static final int ITERATIONS = 4000;

    @TempDir
    Path dir;

    @Test
    void onlyGgufExceptionEscapes() throws Exception {
        Path seedFile = dir.resolve("seed.gguf");
        new GgufWriter()
                .put("general.architecture", "llama")
                .put("llama.block_count", ValueType.UINT32, 2)
                .put("f", 0.5f)
                .put("b", true)
                .put("u64", ValueType.UINT64, 9)
                .put("tokenizer.ggml.tokens", List.of("<s>", "a", "▁b"))
                .put("tokenizer.ggml.scores", GgufArray.ofFloats(0f, -1f, -2f))
                .put("tokenizer.ggml.token_type", GgufArray.ofInts(3, 1, 1))
                .put("nested", List.of(List.of(1L, 2L), List.of(3L)))
                .put("strings", List.of("x", "yy", "zzz"))
                .addTensor("a", TensorType.F32, new long[] {4, 2}, ByteBuffer.allocate(32))
                .addTensor("b", TensorType.Q4_0, new long[] {32, 2}, ByteBuffer.allocate(36))
                .addTensor("c", TensorType.F16, new long[] {2, 2, 2, 2}, ByteBuffer.allocate(32))
                .write(seedFile);
        byte[] seed = Files.readAllBytes(seedFile);
        int headerEnd = (int) GgufReader.read(seedFile).dataOffset();

        SplittableRandom r = new SplittableRandom(20250314);
        Path file = dir.resolve("fuzz.gguf");
        int accepted = 0;
        long slowest = 0;
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] b = seed;
            int mutations = 1 + r.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                b = mutate(b, r, headerEnd);
            }
            Files.write(file, b);
            long t0 = System.nanoTime();
            try {
                GgufReader.read(file);
                accepted++;
            } catch (GgufException expected) {
                // the only acceptable failure
            } catch (Throwable t) {
                fail("iteration %d: %s escaped for %d bytes: %s".formatted(i, t, b.length, hex(b, headerEnd)), t);
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        long totalMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("fuzz: %d iterations, %d accepted, %d ms total, slowest read %.2f ms%n",
                ITERATIONS, accepted, totalMs, slowest / 1e6);
        assertTrue(slowest < 1_000_000_000L, "a single read took " + slowest / 1_000_000 + " ms");
    }

    private static byte[] mutate(byte[] in, SplittableRandom r, int headerEnd) {
        int limit = Math.max(1, Math.min(in.length, headerEnd + 8));
        byte[] b = in.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // flip one bit
                if (b.length > 0) {
                    int at = r.nextInt(Math.min(limit, b.length));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // random byte
                if (b.length > 0) b[r.nextInt(Math.min(limit, b.length))] = (byte) r.nextInt(256);
            }
            case 2 -> { // an interesting 32- or 64-bit value where lengths, counts and types live
                if (b.length >= 8) {
                    int at = r.nextInt(Math.min(limit, b.length - 7));
                    long[] values = {0, 1, -1, Integer.MAX_VALUE, 0xFFFF_FFFFL, 1L << 31, 1L << 32, 1L << 62,
                            Long.MAX_VALUE, Long.MIN_VALUE, b.length, r.nextLong()};
                    long v = values[r.nextInt(values.length)];
                    int width = r.nextBoolean() ? 4 : 8;
                    for (int k = 0; k < width; k++) b[at + k] = (byte) (v >>> (8 * k));
                }
            }
            case 3 -> { // insert bytes
                int at = r.nextInt(Math.min(limit, b.length) + 1);
                int n = 1 + r.nextInt(16);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int k = 0; k < n; k++) out[at + k] = (byte) r.nextInt(256);
                System.arraycopy(b, at, out, at + n, b.length - at);
                b = out;
            }
            case 4 -> { // delete bytes
                if (b.length > 1) {
                    int at = r.nextInt(Math.min(limit, b.length));
                    int n = Math.min(b.length - at, 1 + r.nextInt(16));
                    byte[] out = new byte[b.length - n];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + n, out, at, b.length - at - n);
                    b = out;
                }
            }
            default -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
        }
        return b;
    }

    private static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) sb.append("%02x".formatted(b[i]));
        return sb.toString();
    }
}
