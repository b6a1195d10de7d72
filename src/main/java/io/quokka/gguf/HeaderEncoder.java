package io.quokka.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for a GGUF header (magic, counts, metadata, tensor infos). The header is
 * built in memory because its length fixes where the data section starts; even a 256k-token vocabulary makes a
 * header of only a few MB.
 */
final class HeaderEncoder {
    private byte[] bytes = new byte[1 << 16];
    private int size;

    int size() {
        return size;
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            long want = Math.max((long) bytes.length * 2, (long) size + more);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("GGUF header larger than 2 GB");
            }
            bytes = Arrays.copyOf(bytes, (int) want);
        }
    }

    HeaderEncoder u8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    HeaderEncoder u16(int v) {
        ensure(2);
        bytes[size++] = (byte) v;
        bytes[size++] = (byte) (v >>> 8);
        return this;
    }

    HeaderEncoder u32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    HeaderEncoder u64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    HeaderEncoder string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        return raw(utf8);
    }

    HeaderEncoder raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return this;
    }

    HeaderEncoder padTo(int alignment) {
        int padded = (int) Gguf.pad(size, alignment);
        ensure(padded - size);
        size = padded;   // the array is zero-filled beyond size
        return this;
    }

    /** Writes a value of {@code type} (type id not included); the value must already be canonical or convertible. */
    HeaderEncoder value(ValueType type, Object value) {
        switch (type) {
            case UINT8, INT8 -> u8((int) Values.integer(type, value));
            case UINT16, INT16 -> u16((int) Values.integer(type, value));
            case UINT32, INT32 -> u32((int) Values.integer(type, value));
            case UINT64, INT64 -> u64(Values.integer(type, value));
            case FLOAT32 -> u32(Float.floatToRawIntBits((float) Values.real(value)));
            case FLOAT64 -> u64(Double.doubleToRawLongBits(Values.real(value)));
            case BOOL -> u8(Values.bool(value) ? 1 : 0);
            case STRING -> string(Values.string(value));
            case ARRAY -> array(Values.array(value));
        }
        return this;
    }

    HeaderEncoder array(GgufArray a) {
        u32(a.elementType().id());
        u64(a.size());
        Object s = a.storage();
        int n = a.size();
        switch (a.elementType()) {
            case UINT8, INT8, BOOL -> raw((byte[]) s);
            case UINT16, INT16 -> { for (short v : (short[]) s) u16(v); }
            case UINT32, INT32 -> {
                ensure(4 * n);
                ByteBuffer.wrap(bytes, size, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put((int[]) s);
                size += 4 * n;
            }
            case FLOAT32 -> {
                ensure(4 * n);
                ByteBuffer.wrap(bytes, size, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put((float[]) s);
                size += 4 * n;
            }
            case UINT64, INT64 -> { for (long v : (long[]) s) u64(v); }
            case FLOAT64 -> { for (double v : (double[]) s) u64(Double.doubleToRawLongBits(v)); }
            case STRING -> { for (String v : (String[]) s) string(v); }
            case ARRAY -> { for (GgufArray v : (GgufArray[]) s) array(v); }
        }
        return this;
    }
}
