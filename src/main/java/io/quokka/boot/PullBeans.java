package io.quokka.boot;

import io.quokka.config.QuokkaConfig;
import io.quokka.pull.Disk;
import io.quokka.pull.ModelPuller;
import io.quokka.pull.PullSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;

/** CDI wiring of the model puller: one per server, so concurrent pulls of a blob share its download. */
public class PullBeans {

    @Produces
    @Singleton
    ModelPuller puller(QuokkaConfig config) {
        PullSettings settings = PullSettings.defaults()
                .withHuggingFace(URI.create(config.hfEndpoint()))
                .withPrune(!config.noPrune())
                .withFirstBackoff(config.pullRetryBackoff());
        return new ModelPuller(config.models(), settings, Disk.system());
    }
}
