package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.SchedulerStats;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that stops reading a stream: the runner never waits for it. Tokens are written to the connection from the
 * runner's reader thread without blocking; once the connection's buffers are full, the chunks the client leaves
 * unread are counted, and at the limit its generation is cancelled, so the model is free for the next request.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class SlowClientApiTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI base;

    @Inject
    Scheduler scheduler;

    @Test
    @Timeout(420)
    void aClientThatStopsReadingIsCutOnceItsUnreadChunksReachTheLimitAndTheModelIsFreed() throws Exception {
        assertEquals(200, send(GenerateApiTest.greedy("toy", "warm", 2)).statusCode());
        long cutBefore = ChunkStream.slowClientsCut.get();
        ChunkStream.maxUnreadChunks = 64;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // a small window, so the server's buffers fill soon
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()));
            byte[] body = """
                    {"model":"toy","prompt":"Go on and on","options":{"num_predict":1000000,"temperature":0}}"""
                    .getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // ...and never reads. The cut comes once the kernel's send buffer (autotuned up to tcp_wmem's 4 MiB here)
            // and then Vert.x's queue are full: 8-13 s of the toy's tokens on a quiet machine, but over 90 s when
            // another process takes a core from llama.cpp's two threads, so the wait is generous; it is not a timing.
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(360).toNanos();
            while (ChunkStream.slowClientsCut.get() == cutBefore && System.nanoTime() < deadline) Thread.sleep(20);
            long cutMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(cutBefore + 1, ChunkStream.slowClientsCut.get(), "the stream was never cut");

            SchedulerStats stats = LoadAndFaultsApiTest.awaitIdle(scheduler);
            assertEquals(0, stats.inFlight(), "the cut generation still holds the model");
            long t0 = System.nanoTime();
            HttpResponse<String> next = send(GenerateApiTest.greedy("toy", "next", 3));
            long nextMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, next.statusCode(), next.body());
            System.out.printf("slow client: cut %d ms after it stopped reading (limit %d unread chunks once the "
                    + "connection was full); next request answered in %d ms; failures: 0%n", cutMs,
                    ChunkStream.maxUnreadChunks, nextMs);
        } finally {
            ChunkStream.maxUnreadChunks = ChunkStream.MAX_UNREAD_CHUNKS;
        }
    }

    private HttpResponse<String> send(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("api/generate")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
