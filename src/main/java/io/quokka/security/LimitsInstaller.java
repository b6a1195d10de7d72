package io.quokka.security;

import io.quarkus.runtime.StartupEvent;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RequestLimits;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Hands the configured request caps ({@link SecurityConfig}) to the generation service at start-up. */
@Singleton
class LimitsInstaller {
    private static final Logger LOG = Logger.getLogger(LimitsInstaller.class);

    void install(@Observes StartupEvent event, GenerationService service, SecurityConfig config) {
        var limits = new RequestLimits(Math.max(0, config.maxNumPredict()), Math.max(0, config.maxNumCtx()),
                Math.max(0, config.maxPromptBytes()));
        service.limit(limits);
        if (!limits.equals(RequestLimits.NONE)) LOG.infof("request limits: %s", limits);
    }
}
