package io.quokka.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Buffered little-endian reads from the start of a file, tracking the absolute position. Every read of a length
 * taken from the file is checked against the bytes actually left first, so a corrupt length becomes a
 * {@link GgufException} instead of a huge allocation.
 */
final class HeaderDecoder {
    private static final int BUFFER = 1 << 16;

    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN).limit(0);
    private long bufStart;   // file offset of buf's position 0

    HeaderDecoder(FileChannel channel, long fileSize) {
        this.channel = channel;
        this.fileSize = fileSize;
    }

    long position() {
        return bufStart + buf.position();
    }

    long remaining() {
        return fileSize - position();
    }

    long fileSize() {
        return fileSize;
    }

    private void need(int n, String what) throws IOException {
        if (buf.remaining() >= n) {
            return;
        }
        if (remaining() < n) {
            throw GgufException.invalid("unexpected end of file at offset %d reading %s (%d bytes needed, %d left)",
                    position(), what, n, remaining());
        }
        bufStart += buf.position();
        buf.compact();
        while (buf.position() < n) {
            if (channel.read(buf, bufStart + buf.position()) < 0) {
                throw GgufException.invalid("file shrank while reading, at offset %d", bufStart + buf.position());
            }
        }
        buf.flip();
    }

    int u8(String what) throws IOException {
        need(1, what);
        return buf.get() & 0xFF;
    }

    short i16(String what) throws IOException {
        need(2, what);
        return buf.getShort();
    }

    int i32(String what) throws IOException {
        need(4, what);
        return buf.getInt();
    }

    long u32(String what) throws IOException {
        return Integer.toUnsignedLong(i32(what));
    }

    long i64(String what) throws IOException {
        need(8, what);
        return buf.getLong();
    }

    float f32(String what) throws IOException {
        need(4, what);
        return buf.getFloat();
    }

    double f64(String what) throws IOException {
        need(8, what);
        return buf.getDouble();
    }

    /** Reads {@code n} bytes; the caller has bounded {@code n}. */
    byte[] bytes(int n, String what) throws IOException {
        if (n > remaining()) {
            throw GgufException.invalid("unexpected end of file at offset %d reading %s (%d bytes needed, %d left)",
                    position(), what, n, remaining());
        }
        byte[] out = new byte[n];
        int done = Math.min(n, buf.remaining());
        buf.get(out, 0, done);
        while (done < n) {
            int chunk = Math.min(n - done, BUFFER);
            need(chunk, what);
            buf.get(out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** A u64-length-prefixed UTF-8 string of at most {@code maxBytes} bytes (malformed UTF-8 is replaced). */
    String string(long maxBytes, String what) throws IOException {
        long at = position();
        long len = i64(what + " length");
        if (len < 0 || len > remaining()) {
            throw GgufException.invalid("%s at offset %d has length %s, past the end of the file (%d bytes left)",
                    what, at, Long.toUnsignedString(len), remaining());
        }
        if (len > maxBytes) {
            throw GgufException.invalid("%s at offset %d has length %d, more than the %d allowed",
                    what, at, len, maxBytes);
        }
        return new String(bytes((int) len, what), StandardCharsets.UTF_8);
    }
}
