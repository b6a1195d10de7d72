package io.quokka.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dequantize what we quantized: layouts match ggml's, errors stay within what each format allows. */
class QuantsTest {

    @Test
    void q4_0LayoutLowNibblesFirstHalfHighNibblesSecondHalf() {
        float[] x = new float[32];
        for (int j = 0; j < 16; j++) {
            x[j] = j - 8;          // -8 is the largest magnitude, so d = -8 / -8 = 1 and x[j] -> nibble j
            x[16 + j] = 7 - j;     // -> nibble 15 - j
        }
        ByteBuffer b = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        Quants.encode(TensorType.Q4_0, x, 0, 32, b);
        assertEquals(Float.floatToFloat16(1f), b.getShort(0));
        for (int j = 0; j < 16; j++) {
            assertEquals((byte) (j | ((15 - j) << 4)), b.get(2 + j), "byte " + j);
        }
        float[] back = new float[32];
        Quants.decode(TensorType.Q4_0, b.rewind(), back, 32);
        assertArrayEquals(x, back);
    }

    @Test
    void q8_0LayoutScaleThenInt8() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = (j - 16) / 16f * 127f;   // amax 127 -> d = 1, exact integers
        }
        ByteBuffer b = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        Quants.encode(TensorType.Q8_0, x, 0, 32, b);
        assertEquals(Float.floatToFloat16(1f), b.getShort(0));
        assertEquals((byte) -127, b.get(2));
        assertEquals((byte) 0, b.get(2 + 16));
        assertEquals((byte) Math.round(15 / 16f * 127f), b.get(2 + 31));
    }

    @Test
    void roundTripErrorsWithinFormatBounds() {
        SplittableRandom r = new SplittableRandom(99);
        int n = 32 * 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-3, 3)));
        }
        for (TensorType t : new TensorType[] {TensorType.F32, TensorType.F16, TensorType.Q8_0, TensorType.Q4_0}) {
            ByteBuffer b = ByteBuffer.allocate((int) t.byteSize(n)).order(ByteOrder.LITTLE_ENDIAN);
            Quants.encode(t, x, 0, n, b);
            assertEquals(b.capacity(), b.position(), t + " fills exactly its byte size");
            float[] back = new float[n];
            Quants.decode(t, b.flip(), back, n);
            for (int blk = 0; blk < n; blk += 32) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[blk + j]));
                // scale step per format; fp16 storage of the scale adds a relative 2^-11 per quantized value
                double bound = switch (t) {
                    case F32 -> 0;
                    case F16 -> amax * 0x1p-11 + 1e-7;
                    case Q8_0 -> amax / 127 * 0.5 + amax * 0x1p-10;
                    case Q4_0 -> amax / 8 * 1.0 + amax * 0x1p-9;   // +8d is clamped to 7d: up to one step
                    default -> throw new AssertionError();
                };
                for (int j = 0; j < 32; j++) {
                    double err = Math.abs(x[blk + j] - back[blk + j]);
                    assertTrue(err <= bound, "%s element %d: %f vs %f (bound %g)".formatted(t, blk + j, x[blk + j], back[blk + j], bound));
                }
            }
        }
    }
}
