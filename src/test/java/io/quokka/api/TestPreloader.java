package io.quokka.api;

import io.quokka.engine.CancelToken;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.PreloadStatus;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * Stands in for the start-up preloader in the API tests (overriding the default "no preload" bean): a test starts a
 * preload of a model and readiness follows it through PENDING, LOADING and READY or FAILED, on the real engine.
 */
// Replaces the real Preloader where a test profile enables it (HealthApiTest drives preloads itself).
@Alternative
@Singleton
public class TestPreloader implements PreloadStatus {
    private final GenerationService service;
    private volatile Snapshot snapshot = Snapshot.NONE;

    TestPreloader(GenerationService service) {
        this.service = service;
    }

    @Override
    public Snapshot preload() {
        return snapshot;
    }

    void reset() {
        snapshot = Snapshot.NONE;
    }

    /** Loads {@code model} with keep-alive forever in the background, as a preloader would. */
    CompletableFuture<Void> start(String model) {
        List<String> models = List.of(model);
        snapshot = new Snapshot(State.PENDING, models, null);
        return CompletableFuture.runAsync(() -> {
            snapshot = new Snapshot(State.LOADING, models, null);
            try {
                var prepared = service.prepare(new GenerationCommand.Generate(model, "", null, null, null, new int[0],
                        false, null, KeepAlive.FOREVER, Map.of(), true));
                try (var run = service.start(prepared, new CancelToken())) {
                    snapshot = new Snapshot(State.READY, models, null);
                }
            } catch (Exception e) {
                snapshot = Snapshot.failed(models, e.getMessage());
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
    }
}
