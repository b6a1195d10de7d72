package io.quokka.gguf;

import java.nio.ByteBuffer;

/**
 * Encodes float rows as F32, F16, Q8_0 or Q4_0 exactly as ggml's reference quantizers do
 * ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}), and decodes them back (for tests and checks).
 * Buffers must be little-endian.
 */
public final class Quants {
    static final int QK = 32;

    private Quants() {}

    public static boolean canEncode(TensorType type) {
        return switch (type) {
            case F32, F16, Q8_0, Q4_0 -> true;
            default -> false;
        };
    }

    /** Encodes {@code n} floats from {@code src[off..]}; n must be a multiple of the type's block size. */
    public static void encode(TensorType type, float[] src, int off, int n, ByteBuffer dst) {
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) dst.putFloat(src[off + i]); }
            case F16 -> { for (int i = 0; i < n; i++) dst.putShort(Float.floatToFloat16(src[off + i])); }
            case Q8_0 -> { for (int b = 0; b < n; b += QK) q8_0(src, off + b, dst); }
            case Q4_0 -> { for (int b = 0; b < n; b += QK) q4_0(src, off + b, dst); }
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
    }

    private static void q8_0(float[] x, int off, ByteBuffer dst) {
        float amax = 0;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(x[off + j]));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        dst.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < QK; j++) {
            dst.put((byte) roundHalfAway(x[off + j] * id));
        }
    }

    private static void q4_0(float[] x, int off, ByteBuffer dst) {
        // the scale comes from the value of largest magnitude, sign included, so that value maps to -8 exactly
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        dst.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < QK / 2; j++) {
            int lo = Math.min(15, (int) (x[off + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[off + QK / 2 + j] * id + 8.5f));
            dst.put((byte) (lo | (hi << 4)));
        }
    }

    /** C's roundf: halves go away from zero (Math.round would send -2.5 to -2). */
    private static int roundHalfAway(float v) {
        return v >= 0 ? Math.round(v) : -Math.round(-v);
    }

    /** Decodes {@code n} elements of {@code type} from {@code src} into {@code dst[0..n)}. */
    public static void decode(TensorType type, ByteBuffer src, float[] dst, int n) {
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) dst[i] = src.getFloat(); }
            case F16 -> { for (int i = 0; i < n; i++) dst[i] = Float.float16ToFloat(src.getShort()); }
            case Q8_0 -> {
                for (int b = 0; b < n; b += QK) {
                    float d = Float.float16ToFloat(src.getShort());
                    for (int j = 0; j < QK; j++) {
                        dst[b + j] = src.get() * d;
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n; b += QK) {
                    float d = Float.float16ToFloat(src.getShort());
                    for (int j = 0; j < QK / 2; j++) {
                        int q = src.get() & 0xFF;
                        dst[b + j] = ((q & 0x0F) - 8) * d;
                        dst[b + QK / 2 + j] = ((q >>> 4) - 8) * d;
                    }
                }
            }
            default -> throw new IllegalArgumentException("cannot decode " + type);
        }
    }
}
