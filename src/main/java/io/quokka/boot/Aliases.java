package io.quokka.boot;

import io.quokka.config.QuokkaConfig;
import io.quokka.generation.ModelAliases;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Reads the model aliases from the configured file and {@code QUOKKA_ALIASES}, logging what is wrong with them. */
final class Aliases {
    private static final Logger LOG = Logger.getLogger(Aliases.class);

    private Aliases() {}

    static ModelAliases read(QuokkaConfig config, OllamaStore store) {
        Path file = config.aliasesFile();
        String text = null;
        if (Files.isRegularFile(file)) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOG.errorf("cannot read the aliases file %s: %s; its aliases are ignored", file, e.getMessage());
            }
        }
        ModelAliases aliases = ModelAliases.parse(text, file.toString(), config.aliases().orElse(null),
                name -> isModel(store, name));
        aliases.problems().forEach(p -> LOG.errorf("aliases: %s", p));
        for (ModelAliases.Alias a : aliases.all()) {
            try {
                if (store.find(a.name()).isPresent()) {
                    LOG.warnf("alias '%s' has the name of a model in the store; that model wins, the alias is unused",
                            a.written());
                } else if (store.find(a.target()).isEmpty()) {
                    LOG.warnf("alias '%s' points at '%s', which is not in the store; it answers 404 until it is",
                            a.written(), a.target().displayShortest());
                } else {
                    LOG.infof("alias '%s' -> '%s'", a.written(), a.target().displayShortest());
                }
            } catch (StoreException e) {
                LOG.warnf("alias '%s': %s", a.written(), e.getMessage());
            }
        }
        return aliases;
    }

    private static boolean isModel(OllamaStore store, io.quokka.store.ModelName name) {
        try {
            return store.find(name).isPresent();
        } catch (StoreException e) {
            return true; // a manifest that does not read is still a model's name
        }
    }
}
