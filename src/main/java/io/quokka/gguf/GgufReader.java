package io.quokka.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the header of a GGUF file: metadata and tensor table, never the weights.
 *
 * <p>Validation goes beyond what llama.cpp b4916 checks where llama.cpp would abort the process or read out of
 * bounds later (tokenizer arrays of the wrong type or length, tensor data past the end of the file), so a file
 * that passes is safe to hand to a runner. Resource use is bounded whatever the file says: strings up to
 * {@value #MAX_STRING_BYTES} bytes, at most {@value #MAX_ARRAY_ELEMENTS} array elements in all, arrays nested at
 * most {@value #MAX_ARRAY_DEPTH} deep, and no count is believed before the bytes it implies are known to exist.
 */
public final class GgufReader {
    /** Longest string accepted (the longest real ones are embedded tokenizer JSON of a few MB). */
    static final int MAX_STRING_BYTES = 64 << 20;
    /** Total array elements accepted; a 256k-token vocabulary with merges uses about 1M. */
    static final int MAX_ARRAY_ELEMENTS = 1 << 22;
    /** llama.cpp rejects arrays of arrays; the format allows them, so we read a few levels and no more. */
    static final int MAX_ARRAY_DEPTH = 3;
    /** Smallest possible key-value pair: 8-byte length, a 1-byte key, 4-byte type, a 1-byte value. */
    private static final int MIN_KV_BYTES = 8 + 1 + 4 + 1;
    /** Smallest possible tensor info: 8-byte length, 1-byte name, 4-byte n_dims, one dim, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

    private GgufReader() {}

    /** Reads the header of {@code path}. */
    public static GgufFile read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new Parse(new HeaderDecoder(ch, ch.size())).run();
        }
    }

    /** One parse: keeps the running element budget. */
    private static final class Parse {
        private final HeaderDecoder in;
        private long elementBudget = MAX_ARRAY_ELEMENTS;

        Parse(HeaderDecoder in) {
            this.in = in;
        }

        GgufFile run() throws IOException {
            if (in.fileSize() < 4) {
                throw GgufException.invalid("file is %d bytes, too short to be GGUF", in.fileSize());
            }
            int magic = in.i32("magic");
            if (magic != Gguf.MAGIC) {
                throw new GgufException("not a GGUF file: magic is " + printable(magic) + ", expected 'GGUF'");
            }
            long version = in.u32("version");
            if (version < Gguf.MIN_READ_VERSION || version > Gguf.VERSION) {
                String hint = (version & 0xFFFF) == 0 ? " (a big-endian file?)" : "";
                throw new GgufException("unsupported GGUF version %d%s: llama.cpp reads versions 2 and 3"
                        .formatted(version, hint));
            }
            long nTensors = in.i64("tensor count");
            long nKv = in.i64("metadata count");
            if (nTensors < 0 || nTensors > in.remaining() / MIN_TENSOR_INFO_BYTES) {
                throw GgufException.invalid("tensor count %s cannot fit in the %d bytes left in the file",
                        Long.toUnsignedString(nTensors), in.remaining());
            }
            if (nKv < 0 || nKv > in.remaining() / MIN_KV_BYTES) {
                throw GgufException.invalid("metadata count %s cannot fit in the %d bytes left in the file",
                        Long.toUnsignedString(nKv), in.remaining());
            }

            LinkedHashMap<String, Object> metadata = new LinkedHashMap<>();
            Map<String, ValueType> types = new HashMap<>();
            for (long i = 0; i < nKv; i++) {
                long at = in.position();
                String key = in.string(MAX_STRING_BYTES, "metadata key #" + i);
                if (key.isEmpty()) {
                    throw GgufException.invalid("metadata key #%d at offset %d is empty", i, at);
                }
                if (metadata.containsKey(key)) {
                    throw GgufException.invalid("duplicate metadata key '%s' at offset %d", key, at);
                }
                ValueType type = valueType(in.u32("type of " + key), key);
                metadata.put(key, value(type, key, 0));
                types.put(key, type);
            }

            int alignment = alignment(metadata, types);
            List<TensorInfo> tensors = new ArrayList<>((int) nTensors);
            Set<String> names = new HashSet<>();
            for (long i = 0; i < nTensors; i++) {
                tensors.add(tensorInfo(i, names));
            }
            long dataOffset = Gguf.pad(in.position(), alignment);
            checkTensorPlacement(tensors, alignment, dataOffset);
            checkTokenizer(metadata, types);
            return new GgufFile((int) version, alignment, metadata, types, tensors, dataOffset, in.fileSize());
        }

        private ValueType valueType(long id, String key) throws GgufException {
            return ValueType.fromId(id).orElseThrow(() -> GgufException.invalid(
                    "metadata key '%s' has unknown value type %d", key, id));
        }

        private Object value(ValueType type, String key, int depth) throws IOException {
            String what = "value of " + key;
            return switch (type) {
                case UINT8 -> (short) in.u8(what);
                case INT8 -> (byte) in.u8(what);
                case UINT16 -> Short.toUnsignedInt(in.i16(what));
                case INT16 -> in.i16(what);
                case UINT32 -> in.u32(what);
                case INT32 -> in.i32(what);
                case UINT64 -> GgufArray.unsigned64(in.i64(what));
                case INT64 -> in.i64(what);
                case FLOAT32 -> in.f32(what);
                case FLOAT64 -> in.f64(what);
                case BOOL -> in.u8(what) != 0;   // as llama.cpp: any non-zero byte is true
                case STRING -> in.string(MAX_STRING_BYTES, what);
                case ARRAY -> array(key, depth + 1);
            };
        }

        private GgufArray array(String key, int depth) throws IOException {
            if (depth > MAX_ARRAY_DEPTH) {
                throw GgufException.invalid("metadata key '%s' nests arrays more than %d deep", key, MAX_ARRAY_DEPTH);
            }
            ValueType elem = valueType(in.u32("array type of " + key), key);
            long at = in.position();
            long n = in.i64("array length of " + key);
            if (n < 0 || n > in.remaining() / elem.minBytes()) {
                throw GgufException.invalid("array '%s' at offset %d has %s elements, more than the %d bytes left in the file can hold",
                        key, at, Long.toUnsignedString(n), in.remaining());
            }
            if (n > elementBudget) {
                throw GgufException.invalid("array '%s' has %d elements, more than the %d allowed in all arrays together",
                        key, n, MAX_ARRAY_ELEMENTS);
            }
            elementBudget -= n;
            int size = (int) n;
            String what = "element of " + key;
            Object storage = switch (elem) {
                case UINT8, INT8, BOOL -> in.bytes(size, what);
                case UINT16, INT16 -> {
                    short[] a = new short[size];
                    for (int i = 0; i < size; i++) a[i] = in.i16(what);
                    yield a;
                }
                case UINT32, INT32 -> {
                    int[] a = new int[size];
                    for (int i = 0; i < size; i++) a[i] = in.i32(what);
                    yield a;
                }
                case UINT64, INT64 -> {
                    long[] a = new long[size];
                    for (int i = 0; i < size; i++) a[i] = in.i64(what);
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[size];
                    for (int i = 0; i < size; i++) a[i] = in.f32(what);
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[size];
                    for (int i = 0; i < size; i++) a[i] = in.f64(what);
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[size];
                    for (int i = 0; i < size; i++) a[i] = in.string(MAX_STRING_BYTES, what);
                    yield a;
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[size];
                    for (int i = 0; i < size; i++) a[i] = array(key, depth + 1);
                    yield a;
                }
            };
            return new GgufArray(elem, storage, size);
        }

        private static int alignment(Map<String, Object> metadata, Map<String, ValueType> types) throws GgufException {
            Object value = metadata.get(Gguf.ALIGNMENT_KEY);
            if (value == null) {
                return Gguf.DEFAULT_ALIGNMENT;
            }
            if (types.get(Gguf.ALIGNMENT_KEY) != ValueType.UINT32) {
                throw GgufException.invalid("%s must be UINT32, not %s", Gguf.ALIGNMENT_KEY, types.get(Gguf.ALIGNMENT_KEY));
            }
            long a = (Long) value;
            if (!Gguf.isPowerOfTwo(a) || a > (1 << 30)) {
                throw GgufException.invalid("%s is %d, expected a power of two", Gguf.ALIGNMENT_KEY, a);
            }
            return (int) a;
        }

        private TensorInfo tensorInfo(long index, Set<String> names) throws IOException {
            long at = in.position();
            String name = in.string(MAX_STRING_BYTES, "name of tensor #" + index);
            if (name.isEmpty()) {
                throw GgufException.invalid("tensor #%d at offset %d has an empty name", index, at);
            }
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Gguf.MAX_TENSOR_NAME_BYTES) {
                throw GgufException.invalid("tensor #%d name '%s' is longer than %d bytes",
                        index, abbreviate(name), Gguf.MAX_TENSOR_NAME_BYTES);
            }
            if (!names.add(name)) {
                throw GgufException.invalid("duplicate tensor name '%s' (tensor #%d)", name, index);
            }
            long nDims = in.u32("dimension count of " + name);
            if (nDims == 0 || nDims > Gguf.MAX_DIMS) {
                throw GgufException.invalid("tensor '%s' has %d dimensions, expected 1 to %d", name, nDims, Gguf.MAX_DIMS);
            }
            long[] dims = new long[(int) nDims];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = in.i64("dimension of " + name);
            }
            long typeId = in.u32("type of " + name);
            TensorType type = TensorType.fromId(typeId).orElseThrow(() -> GgufException.invalid(
                    "tensor '%s' has unknown or removed ggml type %d", name, typeId));
            long elements = TensorInfo.elementCount(name, type, dims);
            long offset = in.i64("data offset of " + name);
            if (offset < 0) {
                throw GgufException.invalid("tensor '%s' has data offset %s, past any file",
                        name, Long.toUnsignedString(offset));
            }
            return new TensorInfo(name, java.util.Arrays.stream(dims).boxed().toList(), type, offset,
                    type.byteSize(elements));
        }

        private void checkTensorPlacement(List<TensorInfo> tensors, int alignment, long dataOffset) throws GgufException {
            long fileSize = in.fileSize();
            long expected = 0;
            for (TensorInfo t : tensors) {
                if (t.offset() % alignment != 0) {
                    throw GgufException.invalid("tensor '%s' data offset %d is not a multiple of the alignment %d",
                            t.name(), t.offset(), alignment);
                }
                // llama.cpp's gguf loader requires tensors stored in table order, each padded to the alignment
                if (t.offset() != expected) {
                    throw GgufException.invalid("tensor '%s' data offset is %d, expected %d (data must follow the tensor table order without gaps or overlaps)",
                            t.name(), t.offset(), expected);
                }
                long start = dataOffset + t.offset();
                if (start < 0 || start > fileSize || t.byteSize() > fileSize - start) {
                    throw GgufException.invalid("tensor '%s' data (offset %d, %d bytes) extends past the end of the file (%d bytes)",
                            t.name(), start, t.byteSize(), fileSize);
                }
                expected = t.offset() + Gguf.pad(t.byteSize(), alignment);
            }
        }

        /**
         * llama.cpp reads the tokenizer arrays through raw pointers sized by the token list and asserts their
         * types: a string where it expects numbers aborts the process, a short array reads out of bounds.
         */
        private static void checkTokenizer(Map<String, Object> metadata, Map<String, ValueType> types) throws GgufException {
            Object tokens = metadata.get("tokenizer.ggml.tokens");
            if (tokens == null) {
                return;
            }
            int n = checkArray(tokens, "tokenizer.ggml.tokens", ValueType.STRING, -1);
            checkArray(metadata.get("tokenizer.ggml.scores"), "tokenizer.ggml.scores", ValueType.FLOAT32, n);
            checkArray(metadata.get("tokenizer.ggml.token_type"), "tokenizer.ggml.token_type", ValueType.INT32, n);
            checkArray(metadata.get("tokenizer.ggml.merges"), "tokenizer.ggml.merges", ValueType.STRING, -1);
        }

        private static int checkArray(Object value, String key, ValueType elementType, int expectedSize) throws GgufException {
            if (value == null) {
                return 0;
            }
            if (!(value instanceof GgufArray a) || a.elementType() != elementType) {
                throw GgufException.invalid("%s must be an array of %s", key, elementType);
            }
            if (expectedSize >= 0 && a.size() != expectedSize) {
                throw GgufException.invalid("%s has %d entries but tokenizer.ggml.tokens has %d", key, a.size(), expectedSize);
            }
            return a.size();
        }
    }

    private static String printable(int magic) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < 4; i++) {
            int c = (magic >>> (8 * i)) & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : "\\x%02X".formatted(c));
        }
        return sb.append('\'').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
