package io.quokka.gguf;

import java.util.Optional;

/**
 * The ggml tensor types that llama.cpp build b4916 (the one bundled in {@code de.kherud:llama} 4.2.0) can load,
 * with their on-disk ids, block sizes (elements per block) and type sizes (bytes per block), as in that build's
 * {@code ggml.h} / {@code ggml.c} type traits. Ids 4 and 5 (Q4_2, Q4_3) and 31–33, 36–38 (the repacked
 * Q4_0_x_y / IQ4_NL_x_y layouts) were removed from ggml and are deliberately absent: a file using them is rejected.
 */
public enum TensorType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66);

    private static final TensorType[] BY_ID = new TensorType[64];

    static {
        for (TensorType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    TensorType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The ggml_type id stored in a GGUF tensor info. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types). A tensor's first dimension must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether this is a block-quantized type (blocks of more than one element). */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes taken by {@code elements} elements, which must be a multiple of the block size.
     *
     * @throws ArithmeticException if the size overflows a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%d elements is not a whole number of %s blocks of %d".formatted(elements, this, blockSize));
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /** The type with this ggml id, or empty for an unknown or removed id. */
    public static Optional<TensorType> fromId(long id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ID[(int) id]);
    }
}
