package io.quokka.api;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as a blocking {@link InputStream}, for a virtual thread, with back-pressure: the connection is
 * paused while a few chunks wait unread, so a multi-gigabyte upload never sits in memory. Created on the event loop
 * with the request paused.
 */
final class RequestBodyStream extends InputStream {
    /** Chunks buffered before the connection is paused (Vert.x chunks are a few KB to 64 KB). */
    private static final int HIGH_WATER = 32;
    private static final int LOW_WATER = 8;

    private final HttpServerRequest request;
    private final Context context;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private boolean paused = true;
    private boolean ended;
    private Throwable failure;
    // Reader side only.
    private byte[] current = new byte[0];
    private int position;

    RequestBodyStream(HttpServerRequest request, Context context) {
        this.request = request;
        this.context = context;
        request.handler(chunk -> {
            lock.lock();
            try {
                chunks.add(chunk);
                if (chunks.size() >= HIGH_WATER && !paused) {
                    paused = true;
                    request.pause();
                }
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        });
        request.endHandler(v -> signal(() -> ended = true));
        request.exceptionHandler(t -> signal(() -> failure = t));
    }

    /** True once the whole body was read (or the upload failed). */
    boolean finished() {
        lock.lock();
        try {
            return (ended && chunks.isEmpty() && position == current.length) || failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is left of a body nobody will read; on the event loop. */
    void discardRest() {
        lock.lock();
        try {
            chunks.clear();
            if (ended || failure != null) return;
            request.handler(chunk -> {});
            paused = false;
            request.resume();
        } catch (IllegalStateException alreadyRead) {
            // The body ended meanwhile.
        } finally {
            lock.unlock();
        }
    }

    private void signal(Runnable change) {
        lock.lock();
        try {
            change.run();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (position == current.length && !nextChunk()) return -1;
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    private boolean nextChunk() throws IOException {
        lock.lock();
        try {
            while (true) {
                if (failure != null) throw new IOException("upload interrupted: " + failure.getMessage(), failure);
                Buffer chunk = chunks.poll();
                if (paused && chunks.size() <= LOW_WATER && !ended) {
                    paused = false;
                    context.runOnContext(v -> request.resume());
                }
                if (chunk != null) {
                    current = chunk.getBytes();
                    position = 0;
                    if (current.length > 0) return true;
                    continue;
                }
                if (ended) return false;
                arrived.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("upload interrupted", e);
        } finally {
            lock.unlock();
        }
    }
}
