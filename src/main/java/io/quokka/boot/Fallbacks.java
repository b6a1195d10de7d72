package io.quokka.boot;

import io.quokka.config.QuokkaConfig;
import io.quokka.fallback.FallbackChain;
import io.quokka.fallback.FallbackChains;
import io.quokka.fallback.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Reads the fallback chains from the configured file and {@code QUOKKA_FALLBACKS}, logging what is wrong with them. */
final class Fallbacks {
    private static final Logger LOG = Logger.getLogger(Fallbacks.class);

    private Fallbacks() {}

    static FallbackChains read(QuokkaConfig config) {
        Path file = config.fallbacksFile();
        String text = null;
        if (Files.isRegularFile(file)) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOG.errorf("cannot read the fallbacks file %s: %s; its chains are ignored", file, e.getMessage());
            }
        }
        FallbackChains chains = FallbackChains.parse(text, file.toString(), config.fallbacks().orElse(null));
        chains.problems().forEach(p -> LOG.errorf("fallbacks: %s", p));
        for (FallbackChain chain : chains.all()) {
            // Upstreams by model and URL, and the name of the key's variable: never the key.
            LOG.infof("fallback chain %s -> %s%s", chain.model(), chain.steps().stream().map(Fallbacks::describe)
                    .collect(Collectors.joining(" -> ")), chain.onBusy() ? " (also when busy)" : "");
        }
        return chains;
    }

    private static String describe(Step step) {
        return switch (step) {
            case Step.Local l -> l.model();
            case Step.Remote r -> r.upstream().describe()
                    + (r.upstream().apiKeyVariable() == null ? "" : " (key from " + r.upstream().apiKeyVariable() + ")");
        };
    }
}
