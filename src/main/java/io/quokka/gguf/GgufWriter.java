package io.quokka.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a GGUF v3 file: metadata and tensor infos first, then each tensor's data, aligned.
 *
 * <p>Declare everything, then call {@link #write(Path)}. Tensor data is pulled from each {@link TensorData} in
 * declaration order while writing, so a model never has to sit in memory as a whole. The writer refuses what the
 * reader (and llama.cpp) would reject: duplicate keys or names, bad shapes, rows that are not whole blocks.
 * Not thread-safe.
 */
public final class GgufWriter {

    /** Produces one tensor's bytes (ggml layout, little-endian) on demand. */
    @FunctionalInterface
    public interface TensorData {
        /** Writes exactly the tensor's byte size to {@code out}. */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Kv(ValueType type, Object value) {}

    private record PendingTensor(String name, TensorType type, long[] dims, long byteSize, TensorData data) {}

    private final Map<String, Kv> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();
    private int alignment = Gguf.DEFAULT_ALIGNMENT;

    /**
     * Sets the data alignment (a power of two; default 32) and records it as {@code general.alignment} (UINT32).
     */
    public GgufWriter alignment(int alignment) {
        if (!Gguf.isPowerOfTwo(alignment)) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + alignment);
        }
        this.alignment = alignment;
        metadata.remove(Gguf.ALIGNMENT_KEY);
        metadata.put(Gguf.ALIGNMENT_KEY, new Kv(ValueType.UINT32, (long) alignment));
        return this;
    }

    /**
     * Adds a metadata entry of an explicit type. {@code value} is any Java value convertible to it without loss
     * (any integer {@code Number} in range for integer types, a {@code List} or {@link GgufArray} for ARRAY).
     *
     * @throws IllegalArgumentException on a duplicate or empty key, or a value that does not fit the type
     */
    public GgufWriter put(String key, ValueType type, Object value) {
        Objects.requireNonNull(type, "type");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must be non-empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
        }
        Object canonical = Values.canonical(type, value);
        if (key.equals(Gguf.ALIGNMENT_KEY)) {
            if (type != ValueType.UINT32) {
                throw new IllegalArgumentException(Gguf.ALIGNMENT_KEY + " must be UINT32");
            }
            return alignment(Math.toIntExact((Long) canonical));
        }
        metadata.put(key, new Kv(type, canonical));
        return this;
    }

    /**
     * Adds a metadata entry whose GGUF type follows from the Java type: String, Boolean, Byte → INT8, Short →
     * INT16, Integer → INT32, Long → INT64, BigInteger → UINT64, Float, Double, List/GgufArray → ARRAY. Use
     * {@link #put(String, ValueType, Object)} for unsigned types (llama.cpp wants UINT32 for most hparams).
     */
    public GgufWriter put(String key, Object value) {
        return put(key, Values.inferType(value), value);
    }

    /** Copies every metadata entry of {@code file}, keeping its types (general.alignment included). */
    public GgufWriter putAll(GgufFile file) {
        file.metadata().forEach((k, v) -> put(k, file.metadataType(k).orElseThrow(), v));
        return this;
    }

    /**
     * Declares a tensor. {@code dims} are in ggml order (ne[0], the contiguous row length, first).
     *
     * @throws IllegalArgumentException on a duplicate or too long name, 0 or more than 4 dims, a non-positive
     *     dim, a row length that is not a multiple of the type's block size, or an overflowing size
     */
    public GgufWriter addTensor(String name, TensorType type, long[] dims, TensorData data) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must be non-empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Gguf.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "tensor name '%s' longer than %d bytes".formatted(name, Gguf.MAX_TENSOR_NAME_BYTES));
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        long[] d = dims.clone();
        long byteSize;
        try {
            byteSize = type.byteSize(TensorInfo.elementCount(name, type, d));
        } catch (GgufException e) {
            tensorNames.remove(name);
            throw new IllegalArgumentException(e.getMessage().replace("invalid GGUF file: ", ""), e);
        }
        tensors.add(new PendingTensor(name, type, d, byteSize, data));
        return this;
    }

    /** Declares a tensor whose bytes are already in memory ({@code bytes.remaining()} must be its byte size). */
    public GgufWriter addTensor(String name, TensorType type, long[] dims, ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        return addTensor(name, type, dims, out -> {
            while (copy.hasRemaining()) {
                out.write(copy);
            }
        });
    }

    /** Total bytes of the file {@link #write} will produce. */
    public long fileSize() {
        return dataOffset(header(new long[tensors.size()]).size()) + dataSize();
    }

    /**
     * Writes the file. It is written next to {@code path} under a temporary name and moved into place, so a
     * reader never sees a half-written model.
     */
    public void write(Path path) throws IOException {
        long[] offsets = new long[tensors.size()];
        long running = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = running;
            running += Gguf.pad(tensors.get(i).byteSize(), alignment);
        }
        HeaderEncoder header = header(offsets);
        header.padTo(alignment);

        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, header.toBuffer());
                ByteBuffer zeros = ByteBuffer.allocate(alignment);
                for (PendingTensor t : tensors) {
                    long start = ch.position();
                    CountingChannel counting = new CountingChannel(ch);
                    t.data().writeTo(counting);
                    if (counting.count != t.byteSize() || ch.position() != start + t.byteSize()) {
                        throw new IllegalStateException("tensor '%s' wrote %d bytes, expected %d"
                                .formatted(t.name(), counting.count, t.byteSize()));
                    }
                    int padding = (int) (Gguf.pad(t.byteSize(), alignment) - t.byteSize());
                    writeFully(ch, zeros.clear().limit(padding));
                }
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private long dataOffset(long headerSize) {
        return Gguf.pad(headerSize, alignment);
    }

    private long dataSize() {
        long sum = 0;
        for (PendingTensor t : tensors) {
            sum += Gguf.pad(t.byteSize(), alignment);
        }
        return sum;
    }

    private HeaderEncoder header(long[] offsets) {
        HeaderEncoder h = new HeaderEncoder();
        h.u32(Gguf.MAGIC).u32(Gguf.VERSION).u64(tensors.size()).u64(metadata.size());
        metadata.forEach((key, kv) -> {
            h.string(key).u32(kv.type().id()).value(kv.type(), kv.value());
        });
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            h.string(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                h.u64(d);
            }
            h.u32(t.type().id()).u64(offsets[i]);
        }
        return h;
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Counts what a tensor source writes, so a short or long tensor is caught before it corrupts the file. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel out;
        long count;

        CountingChannel(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // the writer owns the file channel
        }
    }
}
