package io.quokka.boot;

import io.quokka.generation.EmbeddingService;
import io.quokka.generation.GenerationService;
import io.quokka.generation.ModelResolver;
import io.quokka.scheduler.Scheduler;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the embedding service: the same resolver, scheduler and load settings as generation. */
public class EmbeddingBeans {

    @Produces
    @Singleton
    EmbeddingService embeddingService(ModelResolver resolver, Scheduler scheduler, GenerationService generation) {
        return new EmbeddingService(resolver, scheduler, generation);
    }
}
