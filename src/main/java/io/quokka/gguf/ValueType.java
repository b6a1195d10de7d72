package io.quokka.gguf;

import java.util.Optional;

/**
 * GGUF metadata value types with their on-disk ids.
 *
 * <p>Values are handed out as Java objects that hold every value of the type exactly. Signed integers map to the
 * Java type of the same width; unsigned ones to the next wider type: INT8 → {@link Byte}, UINT8 and INT16 →
 * {@link Short}, UINT16 and INT32 → {@link Integer}, UINT32 and INT64 → {@link Long}, UINT64 → {@link Long} when
 * it is at most {@link Long#MAX_VALUE}, otherwise {@link java.math.BigInteger}. FLOAT32 → {@link Float}, FLOAT64 →
 * {@link Double}, BOOL → {@link Boolean}, STRING → {@link String}, ARRAY → {@link GgufArray} (a {@code List}).
 * Read integers through {@link Number} rather than casting to a box type.
 */
public enum ValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** u64 byte length, then UTF-8 bytes (no terminator). */
    STRING(8, 8),
    /** u32 element type, u64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final ValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    ValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The gguf_type id stored in the file. */
    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type takes in a file (its exact size for fixed-size types). */
    int minBytes() {
        return minBytes;
    }

    boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or empty for an unknown one. */
    public static Optional<ValueType> fromId(long id) {
        // ids are assigned densely in declaration order
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }
}
