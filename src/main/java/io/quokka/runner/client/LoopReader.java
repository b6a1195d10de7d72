package io.quokka.runner.client;

import io.quokka.engine.TokenListener;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.nio.NioTask;
import io.quokka.runner.protocol.Event;
import io.quokka.runner.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads a runner's events on the server's I/O event loop instead of a thread of its own. The runner's socket is
 * registered with the loop's selector; when bytes arrive the loop takes every whole frame off it and dispatches it
 * there, so a generation's token goes from the runner's socket to the client's connection on one thread, woken once.
 * (A reader thread of its own, as before, was woken per token and then woke the loop to write the chunk: two
 * wake-ups per token, each of which, on a machine whose cores llama.cpp keeps busy, delays a compute thread.)
 *
 * <p>The dispatch must never block: listeners write without waiting ({@link TokenListener}), and answers to other
 * calls are only queued for their waiting threads.
 */
final class LoopReader implements NioTask<SocketChannel> {
    private final SocketChannel channel;
    private final Consumer<Event> dispatch;
    private final Consumer<Throwable> ended;
    private final AtomicBoolean over = new AtomicBoolean();
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10);

    private LoopReader(SocketChannel channel, Consumer<Event> dispatch, Consumer<Throwable> ended) {
        this.channel = channel;
        this.dispatch = dispatch;
        this.ended = ended;
    }

    /**
     * Reads {@code channel} on {@code loop} if it is a Netty NIO event loop (Vert.x's default transport); returns
     * false, registering nothing, otherwise. {@code ended} is called once, off the loop, when the channel ends: with
     * null at the runner's end of stream, else with what went wrong (a malformed frame).
     */
    static boolean start(Executor loop, SocketChannel channel, Consumer<Event> dispatch, Consumer<Throwable> ended)
            throws IOException {
        if (!(loop instanceof NioEventLoop nio) || nio.isShuttingDown()) return false;
        channel.configureBlocking(false);
        try {
            nio.register(channel, SelectionKey.OP_READ, new LoopReader(channel, dispatch, ended));
        } catch (RuntimeException e) { // the loop shut down meanwhile: the caller reads the channel itself
            channel.configureBlocking(true);
            return false;
        }
        return true;
    }

    @Override
    public void channelReady(SocketChannel ch, SelectionKey key) throws Exception {
        int n;
        while ((n = ch.read(buffer)) > 0) {
            takeFrames();
        }
        if (n < 0) {
            key.cancel();
            end(null);
        }
    }

    /** Dispatches every whole frame in the buffer; keeps a partial one, growing the buffer if it cannot hold it. */
    private void takeFrames() throws IOException {
        buffer.flip();
        int needed = 0;
        try {
            while (buffer.remaining() >= Integer.BYTES) {
                int length = Wire.frameLength(buffer.getInt(buffer.position()));
                if (buffer.remaining() < Integer.BYTES + length) {
                    needed = Integer.BYTES + length;
                    break;
                }
                buffer.position(buffer.position() + Integer.BYTES);
                byte[] body = new byte[length];
                buffer.get(body);
                dispatch.accept(Wire.decodeEvent(body));
            }
        } finally {
            buffer.compact();
        }
        if (needed > buffer.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(needed);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /** Netty unregisters the task when {@link #channelReady} throws (a malformed frame) or the loop shuts down. */
    @Override
    public void channelUnregistered(SocketChannel ch, Throwable cause) {
        end(cause == null ? new IOException("the event loop let go of the runner's channel") : cause);
    }

    private void end(Throwable cause) {
        if (!over.compareAndSet(false, true)) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // Off the loop: what follows waits for the process to exit.
        Thread.ofVirtual().name("runner-channel-end").start(() -> ended.accept(cause));
    }
}
