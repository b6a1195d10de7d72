package io.quokka.runner.client;

import io.quokka.engine.EngineException;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.ModelFacts;
import io.quokka.runner.protocol.Event;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Spawns a runner process and connects to it: builds its command line, opens the channel (a Unix socket the runner
 * connects to, or its stdin and stdout), starts reading its events and forwarding its log, and waits for it to report
 * the model loaded. What it hands back is a ready {@link RunnerClient}.
 */
final class RunnerLaunch {
    private static final Logger LOG = Logger.getLogger("io.quokka.runner");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private RunnerLaunch() {
    }

    static RunnerClient start(LoadRequest request, Path library, Path runDir, RunnerEngine.Settings settings)
            throws EngineException {
        Duration loadTimeout = settings.loadTimeout();
        RunnerEngine.Channel mode = settings.channel();
        long started = System.nanoTime();
        List<String> command = new ArrayList<>(RunnerEngine.launchCommand(settings.jvmOptions()));
        Path socket = null;
        ServerSocketChannel server = null;
        try {
            if (mode == RunnerEngine.Channel.SOCKET) {
                socket = runDir.resolve("r" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".sock");
                if (socket.toString().length() > 100) { // sun_path is 108 bytes
                    socket = Files.createTempDirectory("quokka-run").resolve("r.sock");
                }
                Files.deleteIfExists(socket);
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(socket));
            }
            command.addAll(RunnerEngine.runnerArguments(request, library, socket));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(settings.environment());
            if (mode == RunnerEngine.Channel.SOCKET) pb.redirectErrorStream(true); // stray stdout -> log too
            Process process = pb.start();
            LOG.debugf("started runner %d for %s", process.pid(), request.modelFile());

            // Commands go down the runner's stdin; events come back on the socket (or its stdout).
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
            if (server != null) {
                SocketChannel conn = accept(server, process, loadTimeout);
                AutoCloseable channel = () -> {
                    try (conn) {
                        process.getOutputStream().close();
                    }
                };
                RunnerClient client = new RunnerClient(process, out, channel, request.numParallel(),
                        DeathReport.forward(process, process.getInputStream())); // its stdout and stderr, merged
                Executor loop = settings.eventLoop() == null ? null : settings.eventLoop().get();
                client.startReading(conn, loop);
                awaitReady(client, request, loadTimeout, started);
                return client;
            }
            RunnerClient client = new RunnerClient(process, out, process.getOutputStream(), request.numParallel(),
                    DeathReport.forward(process, process.getErrorStream()));
            client.startReading(process.getInputStream());
            awaitReady(client, request, loadTimeout, started);
            return client;
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "cannot start the llama runner: " + e, e);
        } finally {
            if (server != null) {
                try {
                    server.close();
                    Files.deleteIfExists(socket); // the connection outlives the name
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Accepts the runner's connection, giving up when it exits first or the load timeout passes. */
    private static SocketChannel accept(ServerSocketChannel server, Process process, Duration timeout)
            throws IOException, EngineException {
        CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().name("runner-accept").start(r));
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // Polled rather than left to Process.onExit, which completes on the common ForkJoinPool: one thread on
            // 2 cores, and a caller blocking there held a killed runner's load for its whole timeout.
            while (true) {
                try {
                    return accepted.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (!process.isAlive()) throw new IOException("runner exited");
                    if (System.nanoTime() > deadline) throw e;
                }
            }
        } catch (IOException | TimeoutException | InterruptedException | ExecutionException e) {
            server.close();
            process.destroyForcibly();
            throw new EngineException(EngineException.Kind.LOAD_FAILED,
                    "llama runner did not connect: " + DeathReport.describeExit(process), e);
        }
    }

    /** Waits for the runner's first event: Ready records the model's facts; anything else ends the runner. */
    private static void awaitReady(RunnerClient client, LoadRequest request, Duration timeout, long started)
            throws EngineException {
        Event event;
        try {
            event = client.firstEvent(timeout);
        } catch (TimeoutException e) {
            client.close();
            throw new EngineException(EngineException.Kind.LOAD_FAILED,
                    "timed out after " + timeout + " waiting for the llama runner to load " + request.modelFile());
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "interrupted while loading");
        } catch (ExecutionException e) {
            client.close();
            throw new EngineException(EngineException.Kind.LOAD_FAILED, e.getCause().getMessage());
        }
        switch (event) {
            case Event.Ready r -> client.ready(new ModelFacts(r.contextLength(), r.trainedContext(), r.vocabSize(),
                    r.chatTemplate(), System.nanoTime() - started));
            case Event.LoadFailed f -> {
                client.close();
                throw new EngineException(EngineException.Kind.LOAD_FAILED, f.message());
            }
            default -> {
                client.close();
                throw new EngineException(EngineException.Kind.LOAD_FAILED, "unexpected first message " + event);
            }
        }
    }
}
