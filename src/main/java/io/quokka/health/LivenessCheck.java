package io.quokka.health;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/** {@code /q/health/live}: UP while generations make progress; DOWN when the watchdog finds one wedged. */
@Liveness
@Singleton
public class LivenessCheck implements HealthCheck {
    private final Watchdog watchdog;

    LivenessCheck(Watchdog watchdog) {
        this.watchdog = watchdog;
    }

    @Override
    public HealthCheckResponse call() {
        var wedged = watchdog.wedged();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("quokka-engine").status(wedged.isEmpty())
                .withData("in_flight", watchdog.inFlight())
                .withData("watchdog_seconds", watchdog.limit().toSeconds());
        wedged.ifPresent(w -> b.withData("wedged_model", w.model())
                .withData("seconds_without_progress", w.nanosSinceProgress() / 1_000_000_000L));
        return b.build();
    }
}
