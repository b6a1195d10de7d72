package io.quokka.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The body of a streamed answer (NDJSON lines, server-sent events), written by whichever thread has the next chunk
 * — during a generation, the I/O event loop as each token arrives from the runner — straight to the client's
 * connection.
 * A write never waits: the chunk is handed to Vert.x, whose event loop puts it on the socket. Going through the
 * JAX-RS output stream instead took a hop to the request's virtual thread per token and blocked the writer whenever
 * the client fell behind.
 *
 * <p>A client that stops reading fills the connection's buffers; from then on each chunk it leaves unread is counted,
 * and at {@link #MAX_UNREAD_CHUNKS} the write fails as if the client had gone, which cancels its generation: the
 * runner never waits for a client and memory stays bounded.
 *
 * <p>Chunks are written one at a time, in order (the generation hands them on one thread, then the request's thread
 * writes the last one); the response's status and headers are already set when the body is written.
 */
public final class ChunkStream {
    /** Unread chunks a client may leave once its connection's buffers are full, before its generation is cancelled. */
    public static final int MAX_UNREAD_CHUNKS = 4096;
    static volatile int maxUnreadChunks = MAX_UNREAD_CHUNKS; // tests lower it
    /** Streams cut because their client stopped reading. */
    static final AtomicLong slowClientsCut = new AtomicLong();

    private final HttpServerResponse http;
    private final OutputStream out;
    private int unread;

    private ChunkStream(HttpServerResponse http, OutputStream out) {
        this.http = http;
        this.out = out;
    }

    /**
     * A stream onto {@code http}; without a Vert.x response (a request not from the HTTP server) it writes to the
     * JAX-RS body stream {@code out} instead, flushing each chunk.
     */
    public static ChunkStream of(HttpServerResponse http, OutputStream out) {
        return new ChunkStream(http, out);
    }

    /** Writes one chunk (its parts together). Throws {@link UncheckedIOException} when the client is gone or too slow. */
    public void write(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) length += part.length;
        if (length == 0) return; // nothing to send (an empty HTTP chunk would read as the body's end)
        if (http == null) {
            writeToBodyStream(parts);
            return;
        }
        if (http.closed()) throw new UncheckedIOException(new IOException("the client went away"));
        if (!http.writeQueueFull()) {
            unread = 0;
        } else if (++unread >= maxUnreadChunks) {
            slowClientsCut.incrementAndGet();
            throw new UncheckedIOException(new IOException(
                    "the client stopped reading (" + unread + " chunks unread); cancelling its generation"));
        }
        Buffer chunk = Buffer.buffer(length);
        for (byte[] part : parts) chunk.appendBytes(part);
        if (!http.headWritten()) http.setChunked(true);
        http.write(chunk);
    }

    /**
     * Commits the response's status and headers now, with {@code parts} as its first chunk, or alone when there are
     * none. Throws {@link UncheckedIOException} when the client is gone.
     */
    public void open(byte[]... parts) {
        if (parts.length > 0) {
            write(parts);
        } else if (http == null) {
            writeToBodyStream();
        } else if (!http.headWritten()) {
            if (http.closed()) throw new UncheckedIOException(new IOException("the client went away"));
            http.setChunked(true);
            http.writeHead();
        }
    }

    private void writeToBodyStream(byte[]... parts) {
        try {
            for (byte[] part : parts) out.write(part);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
