package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.TokenListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Asking a runner to stop a request never blocks the thread that asks, which is often the server's I/O event loop
 * (a client that went away): not while another request's command is stuck in a full pipe to the runner, nor while
 * another thread holds the channel's write lock. The stop still reaches the runner once the channel moves again.
 */
@Timeout(120)
class RunnerCancelOnEventLoopTest {
    static final NioEventLoopGroup LOOPS = new NioEventLoopGroup(1);
    /** Far above an uncontended hand-off on a busy 2-core machine, far below how long the channel is held up. */
    static final long PROMPT_MILLIS = 1_000;

    static LoadedModel load() throws EngineException {
        RunnerEngine engine = new RunnerEngine(
                TestModels.engine(RunnerEngine.Channel.SOCKET).settings().withEventLoop(LOOPS::next));
        return engine.load(TestModels.request(TestModels.tiny(), 256, 64));
    }

    /** A generation that goes on until cancelled (the context shifts when the window fills). */
    static CompletableFuture<GenerationResult> endless(LoadedModel model, TokenListener listener, CancelToken cancel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return model.generate(new GenerationRequest(null, "Go on", TestModels.greedy(), -1, 4, List.of(), null),
                        listener, cancel);
            } catch (EngineException e) {
                throw new CompletionException(e);
            }
        });
    }

    static void signal(long pid, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    /** Waits until {@code thread} is inside a write to the runner's stdin that cannot complete. */
    static void awaitStuckInWrite(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean writing = Arrays.stream(thread.getStackTrace())
                    .anyMatch(f -> f.getClassName().equals("java.io.FileOutputStream") && f.getMethodName().startsWith("write"));
            if (writing) {
                Thread.sleep(200); // and still there
                if (Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals("java.io.FileOutputStream"))) return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the writer never got stuck: " + Arrays.toString(thread.getStackTrace()));
    }

    @Test
    void cancelOnTheEventLoopReturnsAtOnceWhileThePipeToTheRunnerIsFull() throws Exception {
        try (LoadedModel model = load()) {
            CancelToken cancel = new CancelToken();
            CountDownLatch streaming = new CountDownLatch(3);
            CompletableFuture<GenerationResult> gen = endless(model, piece -> streaming.countDown(), cancel);
            assertTrue(streaming.await(30, TimeUnit.SECONDS));

            signal(model.pid(), "STOP"); // the runner reads nothing now: the pipe to it fills
            Thread writer;
            long cancelMillis;
            boolean prompt;
            try {
                // Another request's command, bigger than the pipe: its writer holds the channel until the runner reads.
                writer = Thread.ofPlatform().name("big-command").start(() -> {
                    try {
                        model.tokenize("x".repeat(256 << 10), true);
                    } catch (EngineException ignored) {
                        // only its write matters here
                    }
                });
                awaitStuckInWrite(writer);
                long t = System.nanoTime();
                Future<?> onLoop = LOOPS.next().submit(cancel::cancel); // as a client's disconnect is seen
                try {
                    onLoop.get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
                    prompt = true;
                } catch (TimeoutException e) {
                    prompt = false;
                }
                cancelMillis = (System.nanoTime() - t) / 1_000_000;
            } finally {
                signal(model.pid(), "CONT");
            }
            assertTrue(prompt, "cancel() on the event loop took " + cancelMillis + " ms (still blocked)");
            // ... and the stop reached the runner after the other command: the generation ends, cancelled.
            assertEquals(DoneReason.CANCELLED, gen.get(30, TimeUnit.SECONDS).doneReason());
            writer.join(30_000);
            assertTrue(model.isAlive(), "stopped by the cancel, not ended for ignoring it");
        }
    }

    @Test
    void aListenerFailingOnTheEventLoopDoesNotBlockItWhileTheWriteLockIsHeld() throws Exception {
        try (LoadedModel model = load()) {
            CountDownLatch streaming = new CountDownLatch(3);
            AtomicBoolean gone = new AtomicBoolean();
            CountDownLatch threw = new CountDownLatch(1);
            CompletableFuture<GenerationResult> gen = endless(model, piece -> {
                streaming.countDown();
                if (gone.get()) {
                    threw.countDown();
                    throw new UncheckedIOException(new IOException("client went away"));
                }
            }, new CancelToken());
            assertTrue(streaming.await(30, TimeUnit.SECONDS));

            // Another thread writing to the runner holds the channel's write lock (the stream the commands go down).
            var field = RunnerClient.class.getDeclaredField("out");
            field.setAccessible(true);
            Object writeLock = field.get(model);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().name("holder").start(() -> {
                synchronized (writeLock) {
                    held.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        // let go
                    }
                }
            });
            boolean responsive;
            try {
                assertTrue(held.await(10, TimeUnit.SECONDS));
                gone.set(true); // the next piece's listener throws on the loop, which then asks the runner to stop
                assertTrue(threw.await(30, TimeUnit.SECONDS));
                Future<?> probe = LOOPS.next().submit(() -> {});
                try {
                    probe.get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
                    responsive = true;
                } catch (TimeoutException e) {
                    responsive = false;
                }
            } finally {
                release.countDown();
            }
            holder.join(10_000);
            assertTrue(responsive, "the event loop was blocked asking the runner to stop");
            ExecutionException e = assertThrows(ExecutionException.class, () -> gen.get(30, TimeUnit.SECONDS));
            assertInstanceOf(UncheckedIOException.class, e.getCause(), "the listener's failure: " + e.getCause());
            assertTrue(model.isAlive(), "stopped by the cancel, not ended for ignoring it");
        }
    }

    @AfterAll
    static void stopLoops() throws InterruptedException {
        LOOPS.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
