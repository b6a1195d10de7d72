package io.quokka.gguf;

/** Format constants shared by the reader and the writer. */
final class Gguf {
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    /** The version we write; llama.cpp b4916 reads 2 and 3 (v2 only widened counts to 64 bits, as v3 has). */
    static final int VERSION = 3;
    static final int MIN_READ_VERSION = 2;
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml keeps names in a char[64] with a terminator (GGML_MAX_NAME); llama.cpp rejects longer ones. */
    static final int MAX_TENSOR_NAME_BYTES = 63;
    static final int MAX_DIMS = 4;

    private Gguf() {}

    static long pad(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    static boolean isPowerOfTwo(long x) {
        return x > 0 && (x & (x - 1)) == 0;
    }
}
