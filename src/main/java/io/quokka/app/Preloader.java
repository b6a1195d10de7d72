package io.quokka.app;

import io.quarkus.runtime.StartupEvent;
import io.quokka.config.QuokkaConfig;
import io.quokka.engine.CancelToken;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.PreloadStatus;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads the models an operator lists ({@code OLLAMA_PRELOAD_MODELS}, else {@code preload-models.txt}) at start-up,
 * in the background so the HTTP server answers at once. The first stays resident (keep-alive forever unless
 * configured). A missing or unloadable model is a clear log line and a reason readiness reports, never a crash.
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

    void onStart(@Observes StartupEvent event, QuokkaConfig config, GenerationService service) {
        List<String> names = requested(config);
        if (names.isEmpty()) return;
        status = new Snapshot(State.LOADING, names, null);
        Thread.ofVirtual().name("preload").start(() -> preload(names, config, service));
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

    private void preload(List<String> names, QuokkaConfig config, GenerationService service) {
        String first = names.getFirst();
        if (names.size() > 1) {
            LOG.infof("preload: %s stays resident; %s checked only (loaded on first use)", first,
                    names.subList(1, names.size()));
        }
        try {
            // The others are resolved (and their GGUF validated) so a typo shows at start-up, not at first use.
            for (String name : names.subList(1, names.size())) service.prepare(load(name, KeepAlive.UNLOAD_NOW));
            KeepAlive keepAlive = KeepAlive.fromEnvironment(config.preloadKeepAlive());
            long start = System.nanoTime();
            var prepared = service.prepare(load(first, keepAlive));
            service.pin(prepared.model().name(), keepAlive);
            try (var run = service.start(prepared, new CancelToken())) {
                LOG.infof("preload: %s loaded in %d ms", first, (System.nanoTime() - start) / 1_000_000);
            }
            status = new Snapshot(State.READY, names, null);
        } catch (Exception e) {
            String reason = "preload of " + names + " failed: " + e.getMessage();
            LOG.error(reason);
            status = Snapshot.failed(names, reason);
        }
    }

    private static GenerationCommand.Generate load(String name, KeepAlive keepAlive) {
        return new GenerationCommand.Generate(name, "", null, null, null, new int[0], false, null, keepAlive, null, true);
    }
}
