package io.quokka.runner;

import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadRequest;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.protocol.Command;
import io.quokka.runner.protocol.Event;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The runner's own engine ({@link NativeModel} + {@link Batcher}: llama.cpp through FFM) hosted in this process,
 * without the runner process, its frames, the server's scheduler or HTTP: the "bare engine" a benchmark compares
 * the served path with. Same code, same options, same sampling, so any difference is the serving layers.
 */
public final class InProcessEngine implements AutoCloseable {
    private final NativeModel model;
    private final Thread worker;
    private final LinkedBlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final Map<Long, AtomicBoolean> cancels = new ConcurrentHashMap<>();
    private final Map<Long, Consumer<Event>> listeners = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private InProcessEngine(NativeModel model, Thread worker) {
        this.model = model;
        this.worker = worker;
    }

    /** Loads {@code request} on a thread with a native-size stack, as the runner does; returns once loaded. */
    public static InProcessEngine load(LoadRequest request, Path library) throws Exception {
        AtomicBoolean never = new AtomicBoolean();
        return load(request, library, never::get);
    }

    /** As {@link #load(LoadRequest, Path)}, with the abort callback asking {@code abort} (as the runner's does). */
    public static InProcessEngine load(LoadRequest request, Path library, java.util.function.BooleanSupplier abort)
            throws Exception {
        RunnerOptions options = new RunnerOptions(request, library, null);
        RunnerLog log = new RunnerLog();
        LlamaCpp.setLogHandler((level, text) -> {
            if (level >= LlamaCpp.LOG_ERROR) System.err.print(text);
        });
        CompletableFuture<InProcessEngine> loaded = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().name("bench-llama").stackSize(16L << 20).daemon(true).unstarted(() -> {
            try {
                LlamaCpp llama = NativeEngine.open(library);
                NativeModel m = NativeModel.load(llama, options, abort, log);
                Embedder embedder = new Embedder(m, log);
                InProcessEngine engine = new InProcessEngine(m, Thread.currentThread());
                Batcher batcher = new Batcher(m, embedder, log, engine.queue, engine.cancels, engine::dispatch);
                loaded.complete(engine);
                batcher.run();
            } catch (Throwable t) {
                loaded.completeExceptionally(t);
            }
        });
        worker.start();
        return loaded.get(10, TimeUnit.MINUTES);
    }

    /** Tokens {@code text} becomes (special tokens parsed, BOS as the vocabulary wants). */
    public int tokenCount(String text) {
        return model.tokenize(text, true).length;
    }

    /**
     * Runs one generation; {@code onPiece} is called on the engine thread for every piece as the runner would send
     * it.
     */
    public GenerationResult generate(GenerationRequest request, Consumer<String> onPiece) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        listeners.put(id, event -> {
            switch (event) {
                case Event.Piece p -> onPiece.accept(p.text());
                case Event.Done d -> done.complete(d.result());
                case Event.Failed f -> done.completeExceptionally(new IllegalStateException(f.message()));
                default -> { }
            }
        });
        cancels.put(id, new AtomicBoolean());
        queue.add(new Command.Generate(id, request));
        try {
            return done.get(30, TimeUnit.MINUTES);
        } finally {
            listeners.remove(id);
            cancels.remove(id);
        }
    }

    private void dispatch(Event event) {
        long id = switch (event) {
            case Event.Piece p -> p.id();
            case Event.Done d -> d.id();
            case Event.Failed f -> f.id();
            default -> -1;
        };
        Consumer<Event> l = listeners.get(id);
        if (l != null) l.accept(event);
    }

    /** Stops the engine thread and frees the context and the model (the runner never does: it exits). */
    @Override
    public void close() throws InterruptedException {
        worker.interrupt();
        worker.join(10_000);
        if (!worker.isAlive()) {
            model.llama.free(model.ctx);
            model.llama.modelFree(model.model);
        }
    }
}
