package io.quokka.health;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready}: DOWN (503) until the preload is resident, or with the reason it cannot be. */
@Readiness
@Singleton
public class ReadinessCheck implements HealthCheck {
    private final ReadinessEvaluator readiness;

    ReadinessCheck(ReadinessEvaluator readiness) {
        this.readiness = readiness;
    }

    @Override
    public HealthCheckResponse call() {
        var verdict = readiness.check();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("quokka").status(verdict.ready());
        if (verdict.reason() != null) b.withData("reason", verdict.reason());
        verdict.data().forEach((k, v) -> {
            if (v instanceof Number n) b.withData(k, n.longValue());
            else b.withData(k, String.valueOf(v));
        });
        return b.build();
    }
}
