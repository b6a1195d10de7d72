package io.quokka.runner;

import io.quokka.engine.EngineException;
import io.quokka.engine.LoadRequest;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.ProtocolStdout;
import io.quokka.runner.protocol.Command;
import io.quokka.runner.protocol.Event;
import io.quokka.runner.protocol.Wire;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A runner process: hosts one model for the server that started it, the way Ollama starts its runners from its
 * own binary. Reads {@link Command}s from its stdin, answers with {@link Event}s on the server's Unix socket (or on
 * its stdout, kept from native code's prints by {@link io.quokka.runner.llamacpp.ProtocolStdout}). One thread (with
 * a native-size stack) owns the llama.cpp context and runs up to {@code n_seq_max} generations at once, batched
 * together ({@link Batcher}); the channel thread answers the cheap vocabulary commands itself and delivers
 * cancellations at once.
 *
 * <p>The process ends with {@code _exit} when told to, when its stdin closes (the server closed it or died), when an
 * event cannot be written, or when the parent process exits: a loaded llama.cpp never lets the JVM exit by itself.
 */
public final class RunnerMain {
    private RunnerMain() {}

    /** The command-line arguments after {@code runner} that make a runner load {@code request}. */
    public static List<String> arguments(LoadRequest request, Path library, Path socket) {
        return new RunnerOptions(request, library, socket).toArgs();
    }

    private static final long NATIVE_STACK = 16L << 20; // llama.cpp runs on the calling thread's stack

    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>(); // Generate or Embed
    private final java.util.concurrent.ConcurrentHashMap<Long, AtomicBoolean> cancels =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Batcher batcher;
    private DataOutputStream out;
    private RunnerLog log;

    public static void main(String[] args) {
        // Nothing may write to the real stdout: in --stdio mode it is the protocol channel. Java prints go to
        // stderr; llama.cpp's log goes through the upcall to stderr; stray native printf is diverted by
        // ProtocolStdout.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        if (args.length == 2 && args[0].equals(ARCHITECTURES)) {
            printArchitectures(Path.of(args[1]), stdout);
            return;
        }
        RunnerOptions options;
        try {
            options = RunnerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("runner: " + e.getMessage());
            LlamaCpp.exitNow(2);
            return;
        }
        try {
            new RunnerMain().run(options);
        } catch (Throwable t) {
            System.err.println("runner: fatal: " + t);
            t.printStackTrace();
        }
        LlamaCpp.exitNow(1);
    }

    /** {@code runner --architectures LIBRARY}: the architectures the engine at LIBRARY loads, one per line. */
    public static final String ARCHITECTURES = "--architectures";

    private static void printArchitectures(Path library, PrintStream out) {
        int status = 0;
        try {
            LlamaCpp llama = NativeEngine.open(library);
            out.println("release " + llama.release());
            for (String arch : llama.architectures()) out.println(arch);
        } catch (Throwable t) {
            System.err.println("runner: cannot list the engine's architectures: " + t);
            status = 1;
        }
        out.flush();
        LlamaCpp.exitNow(status);
    }

    private void run(RunnerOptions options) throws Exception {
        // Commands always come on stdin (its end means the server is gone). Events go to the server's Unix socket,
        // which the server can read on its event loop, or else to our stdout.
        InputStream rawIn = new FileInputStream(FileDescriptor.in);
        OutputStream rawOut;
        if (options.socket() != null) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(options.socket()));
            rawOut = Channels.newOutputStream(channel);
        } else {
            rawOut = ProtocolStdout.takeOver(); // fd 1 now goes to stderr; frames go to the saved descriptor
        }
        watchParent();
        DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 1 << 16));
        out = new DataOutputStream(new BufferedOutputStream(rawOut, 1 << 16));
        log = new RunnerLog();
        LlamaCpp.setLogHandler(log);

        // Load on the generation thread: it has a stack big enough for native code, and it owns the context.
        var loaded = new java.util.concurrent.CompletableFuture<NativeModel>();
        Thread worker = Thread.ofPlatform().name("llama").stackSize(NATIVE_STACK).daemon(true).unstarted(() -> {
            try {
                LlamaCpp llama = NativeEngine.open(options.library());
                log.info("llama.cpp " + llama.release() + " (" + options.library() + ")");
                NativeModel model = NativeModel.load(llama, options, this::abortRequested, log);
                Embedder embedder = new Embedder(model, log);
                batcher = new Batcher(model, embedder, log, queue, cancels, this::send);
                loaded.complete(model);
                batcher.run();
            } catch (Throwable t) {
                if (loaded.completeExceptionally(t)) return;
                // A runner whose generation thread is gone would take requests and never answer them: end it, so
                // that the server sees it terminate and fails them.
                System.err.println("runner: fatal: the generation thread failed: " + t);
                t.printStackTrace();
                LlamaCpp.exitNow(1);
            }
        });
        worker.start();
        NativeModel model;
        try {
            model = loaded.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof RunnerFailure f ? f.getMessage() : "error loading model: " + cause;
            log.info(message);
            send(new Event.LoadFailed(message));
            LlamaCpp.exitNow(1);
            return;
        }
        log.info("model loaded: n_ctx " + model.nCtx + ", n_batch " + model.nBatch + ", n_seq_max " + model.nSeqMax
                + ", vocab " + model.nVocab);
        send(new Event.Ready(model.nCtx, model.nCtxTrain, model.nVocab, model.chatTemplate));

        while (true) {
            Command command;
            try {
                command = Wire.readCommand(in);
            } catch (EOFException e) {
                log.info("channel closed; exiting");
                LlamaCpp.exitNow(0);
                return;
            }
            switch (command) {
                case Command.Ping(long id) -> send(new Event.Pong(id));
                case Command.Tokenize(long id, String text, boolean addSpecial) ->
                        answer(id, "tokenizing", () -> new Event.Tokens(id, model.tokenize(text, addSpecial)));
                case Command.ApplyTemplate a -> answer(a.id(), "applying the chat template", () -> new Event.Text(
                        a.id(), model.applyTemplate(a.template(), a.messages(), a.addAssistantPrefix())));
                case Command.Generate g -> {
                    cancels.put(g.id(), new AtomicBoolean());
                    queue.add(g);
                }
                case Command.Embed e -> {
                    cancels.put(e.id(), new AtomicBoolean());
                    queue.add(e);
                }
                case Command.Cancel(long id) -> {
                    AtomicBoolean flag = cancels.get(id);
                    if (flag != null) flag.set(true);
                }
                case Command.Shutdown() -> {
                    log.info("shutdown requested");
                    LlamaCpp.exitNow(0);
                }
            }
        }
    }

    /** One request's work on the channel thread; may refuse it ({@link RunnerFailure}). */
    private interface Answer {
        Event get() throws RunnerFailure;
    }

    /**
     * Sends what {@code answer} makes for request {@code id}, or that request's failure: whatever goes wrong with one
     * request (its text too big for the heap, say) fails it alone and the runner goes on serving the others.
     */
    private void answer(long id, String what, Answer answer) {
        Event event;
        try {
            event = answer.get();
        } catch (RunnerFailure f) {
            event = new Event.Failed(id, f.kind, f.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            event = RunnerFailure.of(id, what, e, log);
        }
        send(event);
    }

    /** Polled by llama.cpp during graph computation (abort_callback): cancels a long prompt mid-decode. */
    private boolean abortRequested() {
        Batcher b = batcher;
        return b != null && b.abortRequested();
    }

    private void send(Event event) {
        try {
            synchronized (out) {
                Wire.write(out, event);
            }
        } catch (IOException e) {
            // The server is gone: nobody is left to serve.
            System.err.println("runner: channel write failed (" + e.getMessage() + "); exiting");
            LlamaCpp.exitNow(0);
        }
    }

    private static void watchParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("runner: parent process exited; exiting");
            LlamaCpp.exitNow(0);
        }));
    }
}
