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

/**
 * Turns a client's request into a generation: resolves the model, merges its options, claims it from the
 * scheduler, renders the prompt and runs the engine. Knows nothing of HTTP.
 */
public final class GenerationService {

    /** Server-wide settings that shape every load. */
    public record Settings(int defaultContextLength, int numThreads, int numParallel, boolean flashAttention,
                           KvCacheType kvCacheType, KeepAlive defaultKeepAlive) {}

    private final ModelResolver resolver;
    private final Scheduler scheduler;
    private final PromptBuilder prompts;
    private final Settings settings;

    public GenerationService(ModelResolver resolver, Scheduler scheduler, PromptBuilder prompts, Settings settings) {
        this.resolver = resolver;
        this.scheduler = scheduler;
        this.prompts = prompts;
        this.settings = settings;
    }

    /** A request resolved against the store, ready to be scheduled. */
    public record Prepared(GenerationCommand command, ResolvedModel model, Options options, ModelSpec spec,
                           KeepAlive keepAlive, long startNanos) {

        /** An empty prompt (or no messages) only loads or unloads the model. */
        public boolean noWork() {
            return switch (command) {
                case GenerationCommand.Generate g -> g.prompt() == null || g.prompt().isEmpty();
                case GenerationCommand.Chat c -> c.messages().isEmpty();
            };
        }
    }

    /** Validates and resolves; throws {@link InvalidRequestException} or {@link ModelNotFoundException}. */
    public Prepared prepare(GenerationCommand command) {
        long start = System.nanoTime();
        if (command.model() == null || command.model().isBlank()) {
            throw new InvalidRequestException("model is required");
        }
        if (command instanceof GenerationCommand.Generate g && g.raw()
                && (notEmpty(g.template()) || notEmpty(g.system()) || g.context().length > 0)) {
            throw new InvalidRequestException("raw mode does not support template, system, or context");
        }
        grammarFor(command.format()); // a schema that cannot be a grammar is a 400 before any model loads
        ResolvedModel model = resolver.resolve(command.model());
        int defaultCtx = settings.defaultContextLength();
        if (model.trainedContext() > 0) defaultCtx = Math.min(defaultCtx, model.trainedContext());
        Options options = OptionsParser.parse(new OptionsParser.Defaults(defaultCtx, settings.numThreads()),
                model.params(), command.options());
        int numCtx = options.numCtx();
        if (model.trainedContext() > 0 && numCtx > model.trainedContext()) numCtx = model.trainedContext();
        LoadRequest load = new LoadRequest(model.modelFile(), numCtx * settings.numParallel(), options.numBatch(),
                options.numThread(), settings.numParallel(), options.useMmap(), settings.flashAttention(),
                settings.kvCacheType());
        KeepAlive keepAlive = command.keepAlive() != null ? command.keepAlive() : settings.defaultKeepAlive();
        ModelSpec spec = new ModelSpec(model.name(), model.digest(), load, model.description());
        return new Prepared(command, model, options, spec, keepAlive, start);
    }

    /** Unloads the model if it is resident ({@code keep_alive: 0} with nothing to generate). */
    public void unload(Prepared prepared) {
        scheduler.expire(prepared.model().name());
    }

    /** Claims the model, loading it if needed. The caller closes the returned run. */
    public Run start(Prepared prepared, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        Lease lease = scheduler.acquire(prepared.spec(), prepared.keepAlive(), cancel);
        return new Run(prepared, lease, cancel);
    }

    /** A claimed model and the generation to run on it. */
    public final class Run implements AutoCloseable {
        private final Prepared prepared;
        private final Lease lease;
        private final CancelToken cancel;

        private Run(Prepared prepared, Lease lease, CancelToken cancel) {
            this.prepared = prepared;
            this.lease = lease;
            this.cancel = cancel;
        }

        public long loadNanos() {
            return lease.loadNanos();
        }

        /** Generates, streaming text to {@code listener}; blocks until done, cancelled or failed. */
        public Outcome generate(TokenListener listener) throws EngineException {
            LoadedModel model = lease.model();
            Options o = prepared.options();
            GenerationCommand command = prepared.command();
            String prompt = prompts.render(command, prepared.model(), model);
            int[] context = command instanceof GenerationCommand.Generate g ? g.context() : new int[0];
            GenerationRequest request = new GenerationRequest(context, prompt, o.sampling(), o.numPredict(),
                    o.numKeep(), o.stop(), grammarFor(command.format()));
            GenerationResult result = model.generate(request, listener, cancel);
            return new Outcome(result, lease.loadNanos(), System.nanoTime() - prepared.startNanos());
        }

        @Override
        public void close() {
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
