package io.quokka.health;

import io.quarkus.arc.DefaultBean;
import io.quokka.scheduler.PreloadStatus;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Without a preloader bean, there is nothing to wait for: readiness is UP at once. */
public class NoPreload {
    @Produces
    @Singleton
    @DefaultBean
    PreloadStatus noPreload() {
        return () -> PreloadStatus.Snapshot.NONE;
    }
}
