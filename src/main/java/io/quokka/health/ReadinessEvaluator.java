package io.quokka.health;

import io.quokka.generation.GenerationService;
import io.quokka.scheduler.PreloadStatus;
import io.quokka.scheduler.ResidentModel;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.SchedulerStats;
import io.quokka.store.OllamaStore;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether Quokka should receive traffic: not while the preload is loading or has failed, not when the model store
 * cannot be read, not while shutting down. Shared by the readiness check and llama-server's {@code /health}.
 * Reads state only: never loads a model, never touches a keep-alive timer.
 */
@Singleton
public class ReadinessEvaluator {

    /** Why readiness is what it is. */
    public enum Status { READY, LOADING, FAILED, SHUTTING_DOWN }

    /**
     * @param status the verdict
     * @param reason a sentence for humans when not ready, otherwise null
     * @param data   resident model, queue depth, slots busy, preload state
     */
    public record Verdict(Status status, String reason, Map<String, Object> data) {
        public boolean ready() {
            return status == Status.READY;
        }
    }

    private final PreloadStatus preload;
    private final Scheduler scheduler;
    private final GenerationService service;
    private final OllamaStore store;

    ReadinessEvaluator(PreloadStatus preload, Scheduler scheduler, GenerationService service, OllamaStore store) {
        this.preload = preload;
        this.scheduler = scheduler;
        this.service = service;
        this.store = store;
    }

    public Verdict check() {
        PreloadStatus.Snapshot p = preload.preload();
        SchedulerStats stats = scheduler.stats();
        List<ResidentModel> resident = scheduler.resident();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("resident_model", resident.isEmpty() ? "" : resident.getFirst().spec().name());
        data.put("resident_models", String.join(",", resident.stream().map(r -> r.spec().name()).toList()));
        data.put("loading_model", stats.loading() == null ? "" : stats.loading());
        data.put("queue_depth", stats.queued());
        data.put("slots_busy", stats.inFlight());
        data.put("preload", p.state().name().toLowerCase());
        if (!p.models().isEmpty()) data.put("preload_models", String.join(",", p.models()));

        if (service.draining()) return new Verdict(Status.SHUTTING_DOWN, "shutting down", data);
        String storeProblem = storeProblem(store.root());
        if (storeProblem != null) return new Verdict(Status.FAILED, storeProblem, data);
        return switch (p.state()) {
            case NONE, READY -> new Verdict(Status.READY, null, data);
            case PENDING, LOADING -> new Verdict(Status.LOADING, "loading model " + String.join(",", p.models()), data);
            case FAILED -> new Verdict(Status.FAILED, "preload failed: " + p.reason(), data);
        };
    }

    /** A store that does not exist yet is an empty store (as for Ollama); one that exists must be a readable folder. */
    static String storeProblem(Path root) {
        if (!Files.exists(root)) return null;
        if (!Files.isDirectory(root) || !Files.isReadable(root) || !Files.isExecutable(root)) {
            return "model store unreadable: " + root;
        }
        Path manifests = root.resolve("manifests");
        if (Files.exists(manifests) && (!Files.isReadable(manifests) || !Files.isExecutable(manifests))) {
            return "model store unreadable: " + manifests;
        }
        return null;
    }
}
