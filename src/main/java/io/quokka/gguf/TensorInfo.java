package io.quokka.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a GGUF tensor table.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param dims shape in ggml order: {@code dims[0]} (ne[0]) is the contiguous row length; 1 to 4 positive dims
 * @param type ggml element type
 * @param offset byte offset of the data relative to the start of the data section ({@link GgufFile#dataOffset()})
 * @param byteSize bytes of data
 */
public record TensorInfo(String name, List<Long> dims, TensorType type, long offset, long byteSize) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = List.copyOf(dims);
        if (offset < 0 || byteSize < 0) {
            throw new IllegalArgumentException("negative offset or size for tensor '" + name + "'");
        }
    }

    /** Number of elements (product of the dims). */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;   // cannot overflow: checked when the tensor was read or declared
        }
        return n;
    }

    /**
     * Validates a shape and returns its element count.
     *
     * @throws GgufException for 0 or more than 4 dims, a non-positive dim, an element count that overflows, or a
     *     row length that is not a multiple of the type's block size
     */
    static long elementCount(String name, TensorType type, long[] dims) throws GgufException {
        if (dims.length == 0 || dims.length > Gguf.MAX_DIMS) {
            throw GgufException.invalid("tensor '%s' has %d dimensions, expected 1 to %d",
                    name, dims.length, Gguf.MAX_DIMS);
        }
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw GgufException.invalid("tensor '%s' dimension %d is %s, expected a positive size",
                        name, i, Long.toUnsignedString(dims[i]));
            }
            try {
                n = Math.multiplyExact(n, dims[i]);
            } catch (ArithmeticException e) {
                throw GgufException.invalid("tensor '%s' shape %s has more elements than fit in 63 bits",
                        name, shape(dims));
            }
        }
        if (dims[0] % type.blockSize() != 0) {
            throw GgufException.invalid("tensor '%s' of type %s has rows of %d elements, not a multiple of its block size %d",
                    name, type, dims[0], type.blockSize());
        }
        try {
            type.byteSize(n);
        } catch (ArithmeticException e) {
            throw GgufException.invalid("tensor '%s' shape %s is too large in bytes", name, shape(dims));
        }
        return n;
    }

    static String shape(long[] dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(dims[i]));
        }
        return sb.append(']').toString();
    }
}
