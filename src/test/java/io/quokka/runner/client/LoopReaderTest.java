package io.quokka.runner.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioEventLoopGroup;
import io.quokka.runner.protocol.Event;
import io.quokka.runner.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runner events read on a Netty NIO event loop: whole frames, however the bytes arrive, dispatched on the loop. */
class LoopReaderTest {
    @TempDir
    Path dir;
    NioEventLoopGroup group;
    SocketChannel runnerEnd;
    SocketChannel serverEnd;

    @BeforeEach
    void connect() throws Exception {
        group = new NioEventLoopGroup(1);
        Path socket = dir.resolve("r.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            runnerEnd = SocketChannel.open(StandardProtocolFamily.UNIX);
            runnerEnd.connect(UnixDomainSocketAddress.of(socket));
            serverEnd = server.accept();
        }
    }

    @AfterEach
    void close() throws Exception {
        runnerEnd.close();
        serverEnd.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void framesSplitAnywhereArriveWholeAndInOrderOnTheLoop() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        List<Boolean> onLoop = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        var loop = group.next();
        assertTrue(LoopReader.start(loop, serverEnd, e -> {
            events.add(e);
            onLoop.add(loop.inEventLoop());
        }, cause -> ended.complete(cause)));

        String big = "x".repeat(200_000); // larger than the reader's first buffer
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(frames);
        for (int i = 0; i < 50; i++) Wire.write(out, new Event.Piece(7, "token " + i + " ü"));
        Wire.write(out, new Event.Text(8, big));
        Wire.write(out, new Event.Pong(9));
        byte[] bytes = frames.toByteArray();
        // Dribble the bytes in odd-sized writes, pausing now and then so the loop sees partial frames.
        int at = 0, step = 1;
        while (at < bytes.length) {
            int n = Math.min(step, bytes.length - at);
            ByteBuffer chunk = ByteBuffer.wrap(bytes, at, n);
            while (chunk.hasRemaining()) runnerEnd.write(chunk);
            at += n;
            step = step * 3 % 9_973 + 1;
            if (at % 7 == 0) Thread.sleep(1);
        }
        runnerEnd.close(); // the runner's end of stream

        assertNull(ended.get(10, TimeUnit.SECONDS), "a clean end of stream");
        assertEquals(52, events.size());
        for (int i = 0; i < 50; i++) assertEquals(new Event.Piece(7, "token " + i + " ü"), events.get(i));
        assertEquals(big, ((Event.Text) events.get(50)).text());
        assertEquals(new Event.Pong(9), events.get(51));
        assertFalse(onLoop.contains(false), "dispatched on the event loop");
    }

    @Test
    void aMalformedFrameEndsTheChannelWithItsCause() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        assertTrue(LoopReader.start(group.next(), serverEnd, e -> { }, cause -> ended.complete(cause)));
        runnerEnd.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 127})); // a one-byte frame with an unknown tag
        Throwable cause = ended.get(10, TimeUnit.SECONDS);
        assertInstanceOf(java.io.IOException.class, cause);
        assertTrue(cause.getMessage().contains("unknown event tag"), cause.getMessage());
    }

    @Test
    void anotherKindOfExecutorIsNotUsed() throws Exception {
        try (var executor = Executors.newSingleThreadExecutor()) {
            assertFalse(LoopReader.start(executor, serverEnd, e -> { }, cause -> { }));
            assertFalse(LoopReader.start(null, serverEnd, e -> { }, cause -> { }));
        }
        assertTrue(serverEnd.isBlocking(), "left as it was");
    }
}
