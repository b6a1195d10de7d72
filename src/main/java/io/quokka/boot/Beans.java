package io.quokka.boot;

import io.quokka.fallback.FallbackRouter;
import io.quokka.fallback.upstream.UpstreamClient;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.quokka.config.QuokkaConfig;
import io.quokka.engine.Engine;
import io.quokka.runner.client.RunnerEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.quokka.engine.KvCacheType;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.ModelResolver;
import io.quokka.generation.PromptBuilder;
import io.quokka.generation.StoreModelResolver;
import io.quokka.models.ModelManager;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreWriter;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.memory.ByteSize;
import io.quokka.scheduler.memory.MemoryBudget;
import io.quokka.scheduler.memory.MemoryEstimate;
import io.quokka.scheduler.memory.MemoryGuard;
import java.util.OptionalLong;
import io.quokka.scheduler.SchedulerListener;
import io.quokka.generation.GenerationObserver;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.quarkus.runtime.Startup;

/** Wires the plain-Java domain objects into CDI, from {@link QuokkaConfig}. */
public class Beans {

    @Produces
    @Singleton
    Engine engine(QuokkaConfig config, io.vertx.core.Vertx vertx) {
        // OLLAMA_LOAD_TIMEOUT parses like OLLAMA_KEEP_ALIVE; zero or negative means no limit, as in Ollama.
        KeepAlive loadTimeout = KeepAlive.fromEnvironment(config.loadTimeout());
        Duration timeout = loadTimeout.forever() || loadTimeout.immediate() ? Duration.ofDays(365) : loadTimeout.duration();
        // Runners' events come over a Unix socket read on the HTTP server's event loop, so a token reaches its
        // client's connection on the thread that writes to it (see LoopReader).
        var settings = RunnerEngine.Settings.defaults(config.workDir()).withLoadTimeout(timeout)
                .withChannel(config.runnerChannel());
        if (config.runnerChannel() == RunnerEngine.Channel.SOCKET) {
            settings = settings.withEventLoop(() -> vertx.nettyEventLoopGroup().next());
        }
        if (config.runnerJvmOptions().isPresent()) {
            List<String> options = new ArrayList<>(settings.jvmOptions());
            options.addAll(List.of(config.runnerJvmOptions().get().trim().split("\\s+")));
            settings = settings.withJvmOptions(options);
        }
        RunnerEngine engine = new RunnerEngine(settings);
        engine.prepareInBackground();
        return engine;
    }

    @Produces
    @Singleton
    Scheduler scheduler(Engine engine, QuokkaConfig config, MemoryGuard guard, Instance<SchedulerListener> listeners) {
        Scheduler scheduler = new Scheduler(engine, config.maxQueue(), config.maxLoadedModels(), guard);
        listeners.forEach(scheduler::addListener); // metrics (io.quokka.metrics)
        return scheduler;
    }

    @Produces
    @Singleton
    MemoryGuard memoryGuard(QuokkaConfig config, GgufInspector inspector, Engine engine) {
        OptionalLong limit = config.memoryLimit().filter(s -> !s.isBlank())
                .map(s -> OptionalLong.of(ByteSize.parse(s))).orElse(OptionalLong.empty());
        return new MemoryGuard(MemoryBudget.system(limit, ByteSize.parse(config.memoryReserve())), inspector::inspect,
                new MemoryGuard.Settings(config.memoryGuard(), config.memoryContextFloor(),
                        () -> engine instanceof RunnerEngine runners
                                ? MemoryEstimate.Calibration.forRelease(runners.engineRelease())
                                : MemoryEstimate.Calibration.V050));
    }

    void closeScheduler(@Disposes Scheduler scheduler) {
        scheduler.close();
    }

    @Produces
    @Singleton
    OllamaStore store(QuokkaConfig config) {
        return new OllamaStore(config.models());
    }

    @Produces
    @Singleton
    GgufInspector inspector() {
        return new GgufInspector();
    }

    /** Also the {@link ModelResolver}; started eagerly so alias problems are logged at start-up. */
    @Produces
    @Singleton
    @Startup
    StoreModelResolver resolver(OllamaStore store, GgufInspector inspector, QuokkaConfig config) {
        return new StoreModelResolver(store, inspector, Aliases.read(config, store));
    }

    /** Create, copy, delete and blobs; a deleted model's runner ends first (the scheduler's expire). */
    @Produces
    @Singleton
    ModelManager modelManager(OllamaStore store, StoreModelResolver resolver, Scheduler scheduler, QuokkaConfig config) {
        return new ModelManager(store, new StoreWriter(store.root(), !config.noPrune()), resolver, scheduler::expire);
    }

    @Produces
    @Singleton
    GenerationService generationService(ModelResolver resolver, Scheduler scheduler, QuokkaConfig config,
                                        Instance<GenerationObserver> observers) {
        KvCacheType kv = KvCacheType.parse(config.kvCacheType()).orElse(KvCacheType.F16);
        var settings = new GenerationService.Settings(config.contextLength(), Runtime.getRuntime().availableProcessors(),
                Math.max(1, config.numParallel()), config.flashAttention(), kv,
                KeepAlive.fromEnvironment(config.keepAlive()));
        var service = new GenerationService(resolver, scheduler, new PromptBuilder(), settings);
        observers.forEach(service::addObserver); // metrics and the access log (io.quokka.metrics)
        return service;
    }

    /**
     * What the API starts generations through: the fallback chains (io.quokka.fallback) in front of the local start.
     * An upstream's API key is looked up by its variable's name when used.
     */
    @Produces
    @Singleton
    RunStarter runStarter(GenerationService service, QuokkaConfig config) {
        Config keys = ConfigProvider.getConfig();
        return new FallbackRouter(Fallbacks.read(config), service, service::start,
                new UpstreamClient(name -> keys.getOptionalValue(name, String.class)));
    }
}
