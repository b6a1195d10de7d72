package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A store of its own for {@link UnseenModelsApiTest} holding the {@link UnseenModels}: other tests list
 * {@link TestStore}'s models exactly, so these cannot join it (the price is one Quarkus restart).
 */
public class UnseenStore implements QuarkusTestResourceLifecycleManager {
    static Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("quokka-unseen-");
            UnseenModels.install(root);
            return Map.of("quokka.models", root.toString(), "quokka.toy-default", "false", "quokka.keep-alive", "5m");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (root == null) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: a temp directory.
        }
    }
}
