package io.quokka.boot;

import io.quarkus.runtime.StartupEvent;
import io.quokka.config.QuokkaConfig;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * A newcomer with an empty store and no network still gets a server that answers: at start-up, an empty store
 * receives the generated toy model as {@code toy} (a few hundred kilobytes, written in milliseconds).
 */
@Singleton
public class ToyDefault {
    private static final Logger LOG = Logger.getLogger(ToyDefault.class);
    static final String NAME = "toy";

    void onStart(@Observes StartupEvent event, QuokkaConfig config, OllamaStore store) {
        if (!config.toyDefault()) return;
        try {
            if (!store.list().isEmpty()) return;
            ToyInstaller.install(store.root(), ModelName.parse(NAME), ToyModelSpec.tiny().withName(NAME));
            LOG.infof("the store at %s was empty: generated the toy model '%s' (random weights, for trying the API)",
                    store.root(), NAME);
        } catch (Exception e) {
            LOG.warnf("could not generate the toy model into %s: %s", store.root(), e.getMessage());
        }
    }
}
