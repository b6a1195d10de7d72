package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.ChatMessage;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EmbeddingRequest;
import io.quokka.engine.EmbeddingResult;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.ModelFacts;
import io.quokka.engine.TokenListener;
import io.quokka.runner.protocol.Command;
import io.quokka.runner.protocol.Event;
import io.quokka.runner.protocol.Wire;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * The server's handle on one runner process, started by {@link RunnerLaunch}. Its events are taken off the channel by
 * the server's I/O event loop ({@link LoopReader}; or by a reader thread of its own where there is none) and each is
 * handed to the call waiting for its id — a generation's pieces straight to its listener, on that thread, so a token
 * reaches the client without another thread hop; a second thread forwards the runner's stderr to the log and keeps
 * its tail to explain a crash ({@link DeathReport}). When the channel ends (the runner exited, was killed or aborted),
 * every waiting call fails with Ollama's "llama runner process has terminated" message, and later calls fail at once.
 */
final class RunnerClient implements LoadedModel {
    private static final Logger LOG = Logger.getLogger("io.quokka.runner");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final long pid;
    private final DataOutputStream out;
    private final AutoCloseable channel;
    private final Map<Long, Call> waiting = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /**
     * Turns on the runner's sequences: a generation holds one permit, an embedding all of them (it uses, and clears,
     * the whole shared context). Fair, so waiting requests are served in arrival order.
     */
    private final Semaphore turns;
    private final int numParallel;
    /** How long a cancelled generation may take to stop before its runner is ended. */
    static final java.time.Duration CANCEL_GRACE = java.time.Duration.ofSeconds(5);
    private final DeathReport death;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean gone = new AtomicBoolean();
    private final CompletableFuture<Event> first = new CompletableFuture<>();
    private volatile String failure; // non-null once the runner is gone
    private ModelFacts facts;
    /** Requests to stop, to be written by {@link #writeStops()}: never by the thread asking (an event loop, often). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> stops = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Whether a thread writing {@link #stops} runs. */
    private final AtomicBoolean writingStops = new AtomicBoolean();

    RunnerClient(Process process, DataOutputStream out, AutoCloseable channel, int numParallel, DeathReport death) {
        this.numParallel = Math.max(1, numParallel);
        this.turns = new Semaphore(this.numParallel, true);
        this.process = process;
        this.pid = process.pid();
        this.out = out;
        this.channel = channel;
        this.death = death;
    }

    /** Reads the events off {@code conn} on {@code loop} ({@link LoopReader}), or on a thread of its own. */
    void startReading(SocketChannel conn, Executor loop) throws IOException {
        if (!LoopReader.start(loop, conn, this::dispatch, cause -> channelEnded(cause))) {
            startReader(new DataInputStream(new BufferedInputStream(Channels.newInputStream(conn), 1 << 16)));
        }
    }

    /** Reads the events off the runner's stdout, on a thread of its own. */
    void startReading(InputStream in) {
        startReader(new DataInputStream(new BufferedInputStream(in, 1 << 16)));
    }

    /** The runner's first event, Ready or LoadFailed; fails if the runner is gone before sending it. */
    Event firstEvent(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        return first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The runner is ready; its model is described by {@code facts}. */
    void ready(ModelFacts facts) {
        this.facts = facts;
    }

    /** Reads the events on a thread of its own, when no event loop reads them ({@link LoopReader}). */
    private void startReader(DataInputStream in) {
        Thread.ofPlatform().name("runner-" + pid + "-reader").daemon(true).start(() -> {
            Throwable cause = null;
            try {
                while (true) dispatch(Wire.readEvent(in));
            } catch (IOException e) {
                // EOF or reset: the runner is gone (or closing). Everything it sent has been dispatched.
            } catch (RuntimeException e) {
                cause = e;
            }
            channelEnded(cause);
        });
    }

    /** Hands one event to whoever waits for it: a piece to its generation's listener, the rest to the caller. */
    private void dispatch(Event event) {
        Long id = idOf(event);
        if (id == null) {
            first.complete(event);
            return;
        }
        Call call = waiting.get(id);
        if (call == null) return;
        if (event instanceof Event.Piece piece && call.listener != null) {
            deliver(id, call, piece.text());
        } else {
            call.events.add(event);
        }
    }

    /** The event channel ended: at the runner's end of stream ({@code cause} null) or on a malformed message. */
    private void channelEnded(Throwable cause) {
        if (cause != null && !closed.get()) {
            LOG.warnf(cause, "runner %d: its events cannot be read (%s); ending it", pid, cause.getMessage());
            process.destroyForcibly();
        }
        runnerGone();
    }

    private void runnerGone() {
        if (!gone.compareAndSet(false, true)) return;
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) process.destroyForcibly();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String message = closed.get() ? "llama runner was closed" : death.terminationMessage();
        failure = message;
        if (!closed.get()) LOG.warnf("runner %d: %s", pid, message);
        first.completeExceptionally(new IOException(message));
        waiting.values().forEach(c -> c.events.add(new Event.Failed(-1, EngineException.Kind.RUNNER_FAILED, message)));
    }

    private static Long idOf(Event event) {
        return switch (event) {
            case Event.Ready r -> null;
            case Event.LoadFailed f -> null;
            case Event.Pong p -> p.id();
            case Event.Tokens t -> t.id();
            case Event.Text t -> t.id();
            case Event.Piece p -> p.id();
            case Event.Done d -> d.id();
            case Event.Embeddings e -> e.id();
            case Event.Failed f -> f.id();
        };
    }

    private void send(Command command) throws EngineException {
        try {
            synchronized (out) {
                Wire.write(out, command);
            }
        } catch (IOException e) {
            // A broken pipe usually means the runner just died; give it a moment so the error says how
            // ("exit status 134", "signal: killed") rather than only that the pipe broke.
            try {
                process.waitFor(1, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            String message = failure != null ? failure
                    : process.isAlive() ? "llama runner channel failed: " + e.getMessage() : death.terminationMessage();
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, message, e);
        }
    }

    private void checkAlive() throws EngineException {
        String f = failure;
        if (f != null) throw new EngineException(EngineException.Kind.RUNNER_FAILED, f);
        if (closed.get()) throw new EngineException(EngineException.Kind.RUNNER_FAILED, "llama runner was closed");
    }

    /** Sends a command and waits for its single answer. */
    private Event call(java.util.function.LongFunction<Command> command) throws EngineException {
        checkAlive();
        long id = ids.incrementAndGet();
        Call call = new Call(null);
        waiting.put(id, call);
        try {
            if (failure != null) checkAlive(); // died between the check and registering
            send(command.apply(id));
            Event event = call.events.poll(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new EngineException(EngineException.Kind.RUNNER_FAILED, "llama runner did not answer");
            }
            if (event instanceof Event.Failed f) throw new EngineException(f.kind(), f.message());
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, "interrupted");
        } finally {
            waiting.remove(id);
        }
    }

    /** A round trip over the channel; for health checks and measurements. */
    Duration ping() throws EngineException {
        long t = System.nanoTime();
        call(Command.Ping::new);
        return Duration.ofNanos(System.nanoTime() - t);
    }

    @Override
    public ModelFacts facts() {
        return facts;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return failure == null && !closed.get() && process.isAlive();
    }

    @Override
    public long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial) throws EngineException {
        return ((Event.Tokens) call(id -> new Command.Tokenize(id, text == null ? "" : text, addSpecial))).tokens();
    }

    @Override
    public String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistantPrefix)
            throws EngineException {
        if (messages == null || messages.isEmpty()) {
            throw new EngineException(EngineException.Kind.BAD_REQUEST, "no messages to apply the chat template to");
        }
        return ((Event.Text) call(id -> new Command.ApplyTemplate(id, template, List.copyOf(messages),
                addAssistantPrefix))).text();
    }

    @Override
    public GenerationResult generate(GenerationRequest request, TokenListener listener, CancelToken cancel)
            throws EngineException {
        checkAlive();
        try {
            turns.acquire(); // up to numParallel generations at once (the runner batches them), FIFO beyond
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, "interrupted");
        }
        if (cancel.isCancelled()) {
            // The client left while waiting for its turn: nothing reaches the runner.
            turns.release();
            return new GenerationResult(DoneReason.CANCELLED, 0, 0, 0, 0, new int[0]);
        }
        long id = ids.incrementAndGet();
        Call call = new Call(java.util.Objects.requireNonNull(listener));
        waiting.put(id, call);
        AtomicBoolean active = new AtomicBoolean(true);
        try {
            checkAlive();
            send(new Command.Generate(id, request));
            stopOnCancel(id, cancel, active);
            while (true) {
                Event event = call.events.take(); // the pieces went to the listener as they arrived
                switch (event) {
                    case Event.Done d -> {
                        if (call.listenerFailure != null) throw call.listenerFailure;
                        return d.result();
                    }
                    case Event.Failed f -> throw new EngineException(f.kind(), f.message());
                    default -> throw new EngineException(EngineException.Kind.RUNNER_FAILED,
                            "unexpected message from the llama runner: " + event);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            askToStop(id);
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, "interrupted");
        } finally {
            active.set(false);
            waiting.remove(id);
            turns.release();
        }
    }

    @Override
    public EmbeddingResult embed(EmbeddingRequest request, CancelToken cancel) throws EngineException {
        checkAlive();
        try {
            turns.acquire(numParallel); // alone: embeddings clear the context all generations share
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, "interrupted");
        }
        long id = ids.incrementAndGet();
        Call call = new Call(null);
        waiting.put(id, call);
        AtomicBoolean active = new AtomicBoolean(true);
        try {
            checkAlive();
            send(new Command.Embed(id, request.inputs(), request.truncate()));
            stopOnCancel(id, cancel, active);
            Event event = call.events.take();
            return switch (event) {
                case Event.Embeddings e -> new EmbeddingResult(java.util.Arrays.asList(e.vectors()),
                        e.promptEvalCount(), e.promptEvalNanos());
                case Event.Failed f -> throw new EngineException(f.kind(), f.message());
                default -> throw new EngineException(EngineException.Kind.RUNNER_FAILED,
                        "unexpected message from the llama runner: " + event);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            askToStop(id);
            throw new EngineException(EngineException.Kind.RUNNER_FAILED, "interrupted");
        } finally {
            active.set(false);
            waiting.remove(id);
            turns.release(numParallel);
        }
    }

    /**
     * While request {@code id} is active, a cancel asks the runner to stop it, and ends the runner if it does not
     * (generations and embeddings alike). Registered once the request's command is written, so the stop follows it.
     */
    private void stopOnCancel(long id, CancelToken cancel, AtomicBoolean active) {
        cancel.onCancel(() -> {
            if (active.get()) {
                askToStop(id);
                endIfStillBusy(active);
            }
        });
    }

    /** A call in flight: its events queue here for the caller, except a generation's pieces, which go to its listener. */
    private static final class Call {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final TokenListener listener;
        /** Set by the reading thread before it queues the call's last event; read by the caller after taking it. */
        volatile RuntimeException listenerFailure;

        Call(TokenListener listener) {
            this.listener = listener;
        }
    }

    /**
     * Hands a piece to its generation's listener, on the reading thread. A listener that throws (its client went away
     * or stopped reading) gets nothing more: the runner is told to stop, and the caller surfaces the exception.
     */
    private void deliver(long id, Call call, String text) {
        if (call.listenerFailure != null) return;
        try {
            call.listener.onText(text);
        } catch (RuntimeException e) {
            call.listenerFailure = e;
            askToStop(id);
        } catch (Error e) {
            // Not the reader's to die of (a listener's stack overflow, say): every call on this runner needs it.
            call.listenerFailure = new IllegalStateException("streaming the generation failed: " + e, e);
            askToStop(id);
        }
    }

    /**
     * Asks the runner to stop request {@code id} without blocking the caller (the I/O event loop, when a client
     * went away): the command is written by a virtual thread of this runner, which may wait for the channel while
     * another command is being written or the pipe is full. The request's own command was written before anyone can
     * ask to stop it, so the stop always follows it. If the runner is gone, the request fails anyway.
     */
    private void askToStop(long id) {
        stops.add(id);
        if (writingStops.compareAndSet(false, true)) {
            Thread.ofVirtual().name("runner-" + pid + "-stop").start(this::writeStops);
        }
    }

    /** Writes the queued stops until none is left; one such thread at a time per runner. */
    private void writeStops() {
        while (true) {
            Long id;
            while ((id = stops.poll()) != null) {
                try {
                    send(new Command.Cancel(id));
                } catch (EngineException ignored) {
                    // the runner is gone: its requests fail anyway
                }
            }
            writingStops.set(false);
            // A stop queued after the last poll but before the flag was cleared found it still set: take it here.
            if (stops.isEmpty() || !writingStops.compareAndSet(false, true)) return;
        }
    }

    /**
     * A runner that does not stop within {@link #CANCEL_GRACE} of being asked is ended: a wedged llama.cpp must not
     * hold the model (and the queue behind it) hostage. The next request starts a new runner.
     */
    private void endIfStillBusy(AtomicBoolean active) {
        Thread.ofVirtual().name("runner-" + pid + "-cancel-watch").start(() -> {
            try {
                Thread.sleep(CANCEL_GRACE);
            } catch (InterruptedException e) {
                return;
            }
            if (active.get() && process.isAlive()) {
                LOG.warnf("runner %d did not stop within %d ms of a cancel; ending it", pid, CANCEL_GRACE.toMillis());
                process.destroyForcibly();
            }
        });
    }

    /**
     * Drops the channel without asking the runner to stop, as the server's death would; the runner must notice
     * and exit by itself. For tests.
     */
    void abandonChannel() {
        try {
            channel.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (process.isAlive()) {
            try {
                synchronized (out) {
                    Wire.write(out, new Command.Shutdown());
                }
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            channel.close();
        } catch (Exception ignored) {
            // best effort
        }
        runnerGone(); // the reader may not see the end of a channel closed here
        LOG.debugf("runner %d closed (%s)", pid, DeathReport.describeExit(process));
    }
}
