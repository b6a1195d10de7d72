package io.quokka.boot;

import io.quarkus.runtime.StartupEvent;
import io.quokka.config.QuokkaConfig;
import io.quokka.engine.CancelToken;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.StoreModelResolver;
import io.quokka.pull.ModelPuller;
import io.quokka.pull.PullEvent;
import io.quokka.pull.PullException;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.PreloadStatus;
import io.quokka.scheduler.Scheduler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads the models an operator lists ({@code OLLAMA_PRELOAD_MODELS}, else {@code preload-models.txt}) at start-up,
 * in the background so the HTTP server answers at once. The first {@code OLLAMA_MAX_LOADED_MODELS} of them (by
 * default one) stay resident (keep-alive forever unless configured); the rest are checked and load on first use.
 * Models missing from the store are pulled first ({@code QUOKKA_PRELOAD_PULL}, default on), so an empty volume
 * fetches them once and reuses them on later boots; readiness stays DOWN meanwhile. A missing, unpullable or
 * unloadable model is a clear log line and a reason readiness reports, never a crash, and the others are still loaded.
 */
@Singleton
public class Preloader implements PreloadStatus {
    private static final Logger LOG = Logger.getLogger(Preloader.class);

    private volatile Snapshot status = Snapshot.NONE;

    /** Where the preload stands; readiness waits for it. */
    @Override
    public Snapshot preload() {
        return status;
    }

    void onStart(@Observes StartupEvent event, QuokkaConfig config, GenerationService service,
                 StoreModelResolver resolver, ModelPuller puller, Scheduler scheduler) {
        List<String> names = requested(config);
        if (names.isEmpty()) return;
        status = new Snapshot(State.LOADING, names, null);
        Thread.ofVirtual().name("preload").start(() -> {
            List<String> problems = new ArrayList<>();
            List<String> available = config.preloadPull() ? pullMissing(names, resolver, puller, problems) : names;
            preload(names, available, problems, config, service, scheduler.maxLoaded());
        });
    }

    /**
     * Pulls the preload models the store lacks, one after the other, logging progress. A failed pull (an offline
     * machine) is a reason, never a crash: the other models are still loaded and served.
     *
     * @return the names to load: those present or pulled (a URL replaced by the name it was stored under)
     */
    static List<String> pullMissing(List<String> names, StoreModelResolver resolver, ModelPuller puller,
                                    List<String> problems) {
        List<String> available = new ArrayList<>();
        for (String name : names) {
            boolean url = name.regionMatches(true, 0, "http://", 0, 7) || name.regionMatches(true, 0, "https://", 0, 8);
            try {
                String stored = url ? ModelPuller.storedName(name, true).displayShortest() : name;
                if (isPresent(resolver, stored)) {
                    available.add(stored);
                    continue;
                }
                LOG.infof("preload: %s is not in the store; pulling it", name);
                long start = System.nanoTime();
                // Plain http only when the operator wrote http:// explicitly.
                var pulled = puller.pull(name, name.regionMatches(true, 0, "http://", 0, 7), new PullLog(name),
                        () -> false);
                LOG.infof("preload: pulled %s in %d s", name, (System.nanoTime() - start) / 1_000_000_000);
                available.add(url ? pulled.displayShortest() : name);
            } catch (PullException e) {
                String reason = "pull of " + name + " failed: " + e.getMessage();
                LOG.error("preload: " + reason);
                problems.add(reason);
            }
        }
        return available;
    }

    private static boolean isPresent(StoreModelResolver resolver, String name) {
        try {
            resolver.find(name);
            return true;
        } catch (ModelNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return true; // present but unusable, or an invalid name: the load step reports it
        }
    }

    /** Logs a pull's steps, and its byte progress at most every five seconds. */
    static final class PullLog implements Consumer<PullEvent> {
        private final String name;
        private String lastStatus = "";
        private long lastCompleted = -1;
        private long lastLog;

        PullLog(String name) {
            this.name = name;
        }

        @Override
        public void accept(PullEvent event) {
            long now = System.nanoTime();
            boolean changed = !event.status().equals(lastStatus);
            if (event instanceof PullEvent.Downloading d) {
                boolean finished = d.completed() == d.total() && lastCompleted != d.completed();
                if (!changed && !finished && now - lastLog < 5_000_000_000L) return;
                if (!changed && d.completed() == lastCompleted) return;
                LOG.infof("preload: pulling %s: %s %d%% (%d of %d bytes)", name, d.status(),
                        d.total() == 0 ? 100 : d.completed() * 100 / d.total(), d.completed(), d.total());
                lastCompleted = d.completed();
            } else if (changed) {
                LOG.infof("preload: pulling %s: %s", name, event.status());
            }
            lastStatus = event.status();
            lastLog = now;
        }
    }

    /** The environment variable wins over the file. */
    static List<String> requested(QuokkaConfig config) {
        if (config.preloadModels().isPresent() && !config.preloadModels().get().isBlank()) {
            return parse(Arrays.asList(config.preloadModels().get().split(",")));
        }
        Path file = config.preloadFile();
        if (!Files.isRegularFile(file)) return List.of();
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            LOG.warnf("cannot read the preload file %s: %s", file, e.getMessage());
            return List.of();
        }
    }

    static List<String> parse(List<String> lines) {
        return lines.stream()
                .map(l -> l.contains("#") ? l.substring(0, l.indexOf('#')) : l)
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .distinct()
                .toList();
    }

    private void preload(List<String> requested, List<String> names, List<String> problems, QuokkaConfig config,
                         GenerationService service, int maxLoaded) {
        if (names.isEmpty()) {
            status = Snapshot.failed(requested, "preload of " + requested + " failed: " + String.join("; ", problems));
            return;
        }
        List<String> resident = names.subList(0, Math.min(names.size(), maxLoaded));
        List<String> checked = names.subList(resident.size(), names.size());
        if (!checked.isEmpty()) {
            LOG.infof("preload: %s resident (OLLAMA_MAX_LOADED_MODELS=%d); %s checked only (loaded on first use)",
                    resident, maxLoaded, checked);
        }
        // The others are resolved (and their GGUF validated) so a typo shows at start-up, not at first use.
        for (String name : checked) {
            try {
                service.prepare(load(name, KeepAlive.UNLOAD_NOW));
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
        }
        KeepAlive keepAlive = KeepAlive.fromEnvironment(config.preloadKeepAlive());
        // Last listed first: when they do not all fit in memory, the scheduler evicts the least recently used
        // resident (all are pinned alike), so the models earlier in the list win.
        for (String name : resident.reversed()) {
            try {
                long start = System.nanoTime();
                var prepared = service.prepare(load(name, keepAlive));
                service.pin(prepared.model().name(), keepAlive);
                try (var run = service.start(prepared, new CancelToken())) {
                    LOG.infof("preload: %s loaded in %d ms", name, (System.nanoTime() - start) / 1_000_000);
                }
            } catch (Exception e) {
                problems.add(e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            status = new Snapshot(State.READY, requested, null);
        } else {
            String reason = "preload of " + requested + " failed: " + String.join("; ", problems);
            LOG.error(reason);
            status = Snapshot.failed(requested, reason);
        }
    }

    private static GenerationCommand.Generate load(String name, KeepAlive keepAlive) {
        return new GenerationCommand.Generate(name, "", null, null, null, new int[0], false, null, keepAlive, null, true);
    }
}
