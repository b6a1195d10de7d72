package io.quokka.generation;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.TokenListener;
import io.quokka.grammar.InvalidSchemaException;
import io.quokka.grammar.JsonSchemaGrammar;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.Lease;
import io.quokka.scheduler.ModelSpec;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.ServerBusyException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * Turns a client's request into a generation: resolves the model, merges its options, claims it from the
 * scheduler, renders the prompt and runs the engine. Knows nothing of HTTP.
 */
public final class GenerationService {
    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    /** Server-wide settings that shape every load. */
    public record Settings(int defaultContextLength, int numThreads, int numParallel, boolean flashAttention,
                           KvCacheType kvCacheType, KeepAlive defaultKeepAlive) {}

    private final ModelResolver resolver;
    private final Scheduler scheduler;
    private final PromptBuilder prompts;
    private final Settings settings;
    /** Keep-alives that replace the server default for particular models (the preloaded one). */
    private final java.util.Map<String, KeepAlive> pinned = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<GenerationObserver> observers = new CopyOnWriteArrayList<>();
    /** Requests waiting for their model, and runs holding one: what a shutdown waits for, then cancels. */
    private final Set<CancelToken> waiting = ConcurrentHashMap.newKeySet();
    private final Set<LocalRun> running = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile RequestLimits limits = RequestLimits.NONE;

    public GenerationService(ModelResolver resolver, Scheduler scheduler, PromptBuilder prompts, Settings settings) {
        this.resolver = resolver;
        this.scheduler = scheduler;
        this.prompts = prompts;
        this.settings = settings;
    }

    /**
     * A request resolved against the store, ready to be scheduled.
     *
     * @param fallbackAllowed false when the client must have exactly this model (no fallback chain applies)
     * @param fallback        the fallback that chose this model instead of the requested one, or null
     * @param grammar         the GBNF grammar of the request's {@code format}, or null: built once, while validating
     */
    public record Prepared(GenerationCommand command, ResolvedModel model, Options options, ModelSpec spec,
                           KeepAlive keepAlive, long startNanos, boolean fallbackAllowed, Fallback fallback,
                           String grammar) {

        public Prepared(GenerationCommand command, ResolvedModel model, Options options, ModelSpec spec,
                        KeepAlive keepAlive, long startNanos, String grammar) {
            this(command, model, options, spec, keepAlive, startNanos, true, null, grammar);
        }

        /** The same request for a client that must have exactly this model. */
        public Prepared withoutFallback() {
            return new Prepared(command, model, options, spec, keepAlive, startNanos, false, fallback, grammar);
        }

        /** This request serving another one's fallback: timed from that one's arrival. */
        public Prepared asFallback(Fallback chosen, long originalStartNanos) {
            return new Prepared(command, model, options, spec, keepAlive, originalStartNanos, false, chosen, grammar);
        }

        /** The kind of request, for reports: {@code generate} or {@code chat}. */
        public String endpoint() {
            return command.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        }

        /** An empty prompt (or no messages) only loads or unloads the model. */
        public boolean noWork() {
            return switch (command) {
                case GenerationCommand.Generate g -> g.prompt() == null || g.prompt().isEmpty();
                case GenerationCommand.Chat c -> c.messages().isEmpty();
            };
        }
    }

    /**
     * Requests for {@code modelName} that do not give a {@code keep_alive} use {@code keepAlive} instead of the
     * server default: how a preloaded model stays resident.
     */
    public void pin(String modelName, KeepAlive keepAlive) {
        pinned.put(modelName, keepAlive);
    }

    /** Sets the operator's caps on {@code num_predict}, {@code num_ctx} and prompt size (default: none). */
    public void limit(RequestLimits limits) {
        this.limits = limits;
    }

    public RequestLimits limits() {
        return limits;
    }

    /** Adds an observer told about every generation when it ends (metrics, access log). */
    public void addObserver(GenerationObserver observer) {
        observers.add(observer);
    }

    /** Tells the observers about a generation served elsewhere (an upstream a fallback chain called). */
    public void publish(GenerationReport report) {
        observers.forEach(o -> o.finished(report));
    }

    /**
     * Counts a generation served elsewhere (an upstream a fallback chain called) as in flight, so a graceful shutdown
     * waits for it and then cancels it like a local one. Run the returned action when it ends.
     */
    public Runnable track(CancelToken cancel) {
        waiting.add(cancel);
        return () -> waiting.remove(cancel);
    }

    /** The generations running now (a model claimed), for the liveness watchdog. */
    public List<InFlight> inFlight() {
        return List.<InFlight>copyOf(running);
    }

    /** True once {@link #drain} began: new requests are refused. */
    public boolean draining() {
        return draining;
    }

    /**
     * Graceful shutdown: refuses new requests ({@link ShuttingDownException}), waits up to {@code grace} for those
     * in flight, then cancels what is left (a running generation then fails with "server is shutting down", so a
     * stream ends with an error line) and waits up to {@code cancelWait} for them to end.
     *
     * @return how many requests had to be cancelled
     */
    public int drain(Duration grace, Duration cancelWait) {
        draining = true;
        awaitIdle(grace);
        int cancelled = 0;
        for (LocalRun run : running) {
            run.abort("server is shutting down", false);
            cancelled++;
        }
        for (CancelToken token : waiting) {
            token.cancel();
            cancelled++;
        }
        awaitIdle(cancelWait);
        return cancelled;
    }

    private void awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while ((!running.isEmpty() || !waiting.isEmpty()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * How a request for {@code model} is served: its options (Ollama's defaults, the params layer, the request),
     * the runner it needs and its keep-alive. One rule for generation and embeddings, so both share one runner
     * and a preloaded model keeps its keep-alive whichever endpoint touches it.
     */
    public record Placement(Options options, ModelSpec spec, KeepAlive keepAlive) {}

    public Placement place(ResolvedModel model, Map<String, Object> requestOptions, KeepAlive requested) {
        int defaultCtx = settings.defaultContextLength();
        if (model.trainedContext() > 0) defaultCtx = Math.min(defaultCtx, model.trainedContext());
        limits.checkRequest(requestOptions);
        Options options = limits.apply(OptionsParser.parse(
                new OptionsParser.Defaults(defaultCtx, settings.numThreads()), model.params(), requestOptions));
        int numCtx = options.numCtx();
        if (model.trainedContext() > 0 && numCtx > model.trainedContext()) numCtx = model.trainedContext();
        LoadRequest load = new LoadRequest(model.modelFile(), numCtx * settings.numParallel(), options.numBatch(),
                options.numThread(), settings.numParallel(), options.useMmap(), settings.flashAttention(),
                settings.kvCacheType());
        KeepAlive keepAlive = requested != null ? requested
                : pinned.getOrDefault(model.name(), settings.defaultKeepAlive());
        return new Placement(options, new ModelSpec(model.name(), model.digest(), load, model.description()), keepAlive);
    }

    /** Validates and resolves; throws {@link InvalidRequestException} or {@link ModelNotFoundException}. */
    public Prepared prepare(GenerationCommand command) {
        long start = System.nanoTime();
        if (draining) throw new ShuttingDownException();
        if (command.model() == null || command.model().isBlank()) {
            throw new InvalidRequestException("model is required");
        }
        if (command instanceof GenerationCommand.Generate g && g.raw()
                && (notEmpty(g.template()) || notEmpty(g.system()) || g.context().length > 0)) {
            throw new InvalidRequestException("raw mode does not support template, system, or context");
        }
        limits.checkPrompt(command);
        String grammar = grammarFor(command.format()); // a schema that cannot be a grammar is a 400 before any load
        ResolvedModel model = resolve(command.model());
        command = prompts.settle(command, model); // think and tools against the template, before any load
        Placement placement = place(model, command.options(), command.keepAlive());
        Options options = placement.options();
        ModelSpec spec = placement.spec();
        KeepAlive keepAlive = placement.keepAlive();
        return new Prepared(command, model, options, spec, keepAlive, start, grammar);
    }

    /**
     * The model a request names. One whose file was deleted behind the server's back is not found (404), and its
     * runner, if resident, is unloaded: the weights it still maps can never be asked for again (a request already
     * generating finishes on them), so its memory comes back now rather than when the keep-alive ends.
     */
    private ResolvedModel resolve(String requestedName) {
        return resolve(resolver, scheduler, requestedName);
    }

    /** {@link #resolve(String)} for the embedding service, which shares the scheduler. */
    static ResolvedModel resolve(ModelResolver resolver, Scheduler scheduler, String requestedName) {
        try {
            return resolver.resolve(requestedName);
        } catch (ModelNotFoundException e) {
            e.fileMissingOf().ifPresent(name -> {
                LOG.warnf("the model file of %s is gone from the store: unloading it if resident", name);
                scheduler.expire(name);
            });
            throw e;
        }
    }

    /** Unloads the model if it is resident ({@code keep_alive: 0} with nothing to generate). */
    public void unload(Prepared prepared) {
        scheduler.expire(prepared.model().name());
    }

    /**
     * Claims {@code prepared}'s own model, loading it if needed (a {@link RunStarter}; the fallback router calls it for
     * the requested model and for local alternatives). The caller closes the returned run.
     */
    public Run start(Prepared prepared, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        if (draining) {
            report(prepared, GenerationReport.REJECTED, null, 0, -1, "server is shutting down");
            throw new ShuttingDownException();
        }
        Lease lease;
        waiting.add(cancel);
        try {
            lease = scheduler.acquire(prepared.spec(), prepared.keepAlive(), cancel);
        } catch (EngineException e) {
            report(prepared, GenerationReport.ERROR, null, 0, -1, e.getMessage());
            throw e;
        } catch (ServerBusyException e) {
            report(prepared, GenerationReport.REJECTED, null, 0, -1, e.getMessage());
            throw e;
        } catch (RequestCancelledException e) {
            if (draining) {
                report(prepared, GenerationReport.REJECTED, null, 0, -1, "server is shutting down");
                throw new ShuttingDownException();
            }
            report(prepared, GenerationReport.CANCELLED, null, 0, -1, null);
            throw e;
        } finally {
            waiting.remove(cancel);
        }
        if (cancel.isCancelled()) {
            // The client left while its model loaded: the load is kept, the claim is not.
            lease.close();
            if (draining) {
                report(prepared, GenerationReport.REJECTED, null, lease.loadNanos(), -1, "server is shutting down");
                throw new ShuttingDownException();
            }
            report(prepared, GenerationReport.CANCELLED, null, lease.loadNanos(), -1, null);
            throw new RequestCancelledException();
        }
        GenerationRequest request;
        try {
            request = request(prepared, lease.model());
        } catch (EngineException | RuntimeException e) {
            lease.close();
            report(prepared, GenerationReport.ERROR, null, lease.loadNanos(), -1, e.getMessage());
            throw e;
        }
        LocalRun run = new LocalRun(prepared, lease, cancel, request);
        running.add(run);
        return run;
    }

    private void report(Prepared prepared, String outcome, GenerationResult result, long loadNanos, long firstNanos,
                        String error) {
        if (observers.isEmpty()) return;
        var report = new GenerationReport(prepared.endpoint(), prepared.model().name(), outcome,
                result == null ? 0 : result.promptEvalCount(), result == null ? 0 : result.evalCount(),
                firstNanos < 0 ? -1 : firstNanos - prepared.startNanos(), loadNanos,
                result == null ? 0 : result.evalNanos(), System.nanoTime() - prepared.startNanos(), error,
                prepared.fallback());
        observers.forEach(o -> o.finished(report));
    }

    /**
     * Renders the prompt and checks it against the window, before any response starts, so a prompt that cannot
     * be served still gets its status code.
     */
    private GenerationRequest request(Prepared prepared, LoadedModel model) throws EngineException {
        if (prepared.noWork()) return null;
        Options o = prepared.options();
        GenerationCommand command = prepared.command();
        int window = Math.max(1, model.facts().contextLength() / settings.numParallel());
        String prompt = prompts.render(command, prepared.model(), model, window);
        int[] context = command instanceof GenerationCommand.Generate g ? g.context() : new int[0];
        if (!command.truncate() && context.length + model.tokenize(prompt, context.length == 0).length >= window) {
            throw new InvalidRequestException("the input length exceeds the context length");
        }
        return new GenerationRequest(context, prompt, o.sampling(), o.numPredict(), o.numKeep(), o.stop(),
                prepared.grammar());
    }

    /**
     * A claimed model (or an upstream a fallback chain chose) and the generation to run on it. Close it on every
     * path: it holds the model.
     */
    public interface Run extends AutoCloseable {
        /** Generates, streaming text to {@code listener}; blocks until done, cancelled or failed. */
        Outcome generate(TokenListener listener) throws EngineException;

        /** Time spent waiting for and loading the model. */
        long loadNanos();

        /** How this generation's text is read: thinking and tool calls separated, as the request asked. */
        default ReplyParser replyParser() {
            return ReplyParser.plain();
        }

        /** The fallback that chose who answers, or null when the requested model does; may change in generate. */
        default Fallback fallback() {
            return null;
        }

        @Override
        void close();
    }

    /** A claimed local model and the generation to run on it. */
    private final class LocalRun implements Run, InFlight {
        private final Prepared prepared;
        private final Lease lease;
        private final CancelToken cancel;
        private final GenerationRequest request;
        private volatile long progressNanos = System.nanoTime();
        private volatile String abortReason;

        private LocalRun(Prepared prepared, Lease lease, CancelToken cancel, GenerationRequest request) {
            this.prepared = prepared;
            this.lease = lease;
            this.cancel = cancel;
            this.request = request;
        }

        @Override
        public long loadNanos() {
            return lease.loadNanos();
        }

        @Override
        public Fallback fallback() {
            return prepared.fallback();
        }

        @Override
        public ReplyParser replyParser() {
            return prompts.replyParser(prepared.command(), prepared.model(), request == null ? "" : request.prompt());
        }

        /**
         * Runs the generation. When {@code listener} throws (its client left), the generation is stopped through the
         * cancel token rather than by the exception, so the engine still answers how far it got: the report counts
         * the prompt and the tokens produced. The listener's exception is then rethrown, as the engine would have.
         */
        @Override
        public Outcome generate(TokenListener listener) throws EngineException {
            LoadedModel model = lease.model();
            long[] first = {-1};
            var listenerFailure = new java.util.concurrent.atomic.AtomicReference<RuntimeException>();
            boolean[] cancelledBefore = {false};
            TokenListener progress = text -> {
                if (listenerFailure.get() != null) return; // stopping: nothing more for the client
                long now = System.nanoTime();
                if (first[0] < 0) first[0] = now;
                progressNanos = now;
                try {
                    listener.onText(text);
                } catch (RuntimeException e) {
                    cancelledBefore[0] = cancel.isCancelled();
                    listenerFailure.set(e);
                    cancel.cancel();
                }
            };
            progressNanos = System.nanoTime();
            GenerationResult result;
            try {
                result = model.generate(request, progress, cancel);
            } catch (EngineException e) {
                String message = abortReason != null ? abortReason : e.getMessage();
                report(prepared, GenerationReport.ERROR, null, lease.loadNanos(), first[0], message);
                if (abortReason != null) throw new EngineException(EngineException.Kind.RUNNER_FAILED, abortReason, e);
                throw e;
            } catch (RuntimeException e) {
                boolean clientGone = e instanceof UncheckedIOException || cancel.isCancelled();
                report(prepared, clientGone ? GenerationReport.CANCELLED : GenerationReport.ERROR, null,
                        lease.loadNanos(), first[0], e.getMessage());
                throw e;
            }
            RuntimeException failed = listenerFailure.get();
            if (failed != null) {
                boolean clientGone = failed instanceof UncheckedIOException || cancelledBefore[0];
                report(prepared, clientGone ? GenerationReport.CANCELLED : GenerationReport.ERROR, result,
                        lease.loadNanos(), first[0], failed.getMessage());
                throw failed;
            }
            if (abortReason != null) {
                report(prepared, GenerationReport.ERROR, result, lease.loadNanos(), first[0], abortReason);
                throw new EngineException(EngineException.Kind.RUNNER_FAILED, abortReason);
            }
            report(prepared, result.doneReason() == io.quokka.engine.DoneReason.CANCELLED ? GenerationReport.CANCELLED
                    : result.doneReason().wireName, result, lease.loadNanos(), first[0], null);
            return new Outcome(result, lease.loadNanos(), System.nanoTime() - prepared.startNanos());
        }

        @Override
        public String model() {
            return prepared.model().name();
        }

        @Override
        public long nanosSinceProgress() {
            return System.nanoTime() - progressNanos;
        }

        @Override
        public void abort() {
            abort("generation made no progress; its runner was ended", true);
        }

        /** Cancels the generation so that it fails with {@code reason}; {@code killRunner} also ends its runner. */
        void abort(String reason, boolean killRunner) {
            abortReason = reason;
            cancel.cancel();
            if (killRunner) lease.model().close();
        }

        @Override
        public void close() {
            running.remove(this);
            lease.close();
        }
    }

    /** The grammar for {@code format} ("json", a JSON schema's text, or null); see {@link JsonSchemaGrammar}. */
    private static String grammarFor(String format) {
        try {
            return JsonSchemaGrammar.forFormat(format);
        } catch (InvalidSchemaException e) {
            throw new InvalidRequestException(JsonSchemaGrammar.INVALID_SCHEMA + ": " + e.getMessage());
        }
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
