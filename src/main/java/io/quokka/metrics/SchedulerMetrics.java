package io.quokka.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quokka.scheduler.ModelSpec;
import io.quokka.scheduler.SchedulerListener;
import io.quokka.scheduler.UnloadReason;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads and unloads as Prometheus meters: {@code quokka_model_load_seconds}, {@code quokka_model_loads_total},
 * {@code quokka_model_unloads_total{reason}} and the info-style {@code quokka_model_resident} (1 while resident).
 */
@Singleton
public class SchedulerMetrics implements SchedulerListener {
    static final Duration[] LOAD_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> resident = new ConcurrentHashMap<>();

    SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void loaded(ModelSpec spec, long loadNanos) {
        loadTimer(spec.name(), "success").record(loadNanos, TimeUnit.NANOSECONDS);
        loads(spec.name(), "success").increment();
        residentFlag(spec.name()).set(1);
    }

    @Override
    public void loadFailed(ModelSpec spec, long nanos, String message) {
        loadTimer(spec.name(), "error").record(nanos, TimeUnit.NANOSECONDS);
        loads(spec.name(), "error").increment();
    }

    @Override
    public void unloaded(ModelSpec spec, UnloadReason reason) {
        Counter.builder("quokka.model.unloads").description("Models unloaded (runner ended), by reason")
                .tag("model", spec.name()).tag("reason", reason.label).register(registry).increment();
        residentFlag(spec.name()).set(0);
    }

    private Timer loadTimer(String model, String outcome) {
        return Timer.builder("quokka.model.load").description("Model load time, runner spawn to ready")
                .tag("model", model).tag("outcome", outcome).serviceLevelObjectives(LOAD_BUCKETS).register(registry);
    }

    private Counter loads(String model, String outcome) {
        return Counter.builder("quokka.model.loads").description("Model loads started, by outcome")
                .tag("model", model).tag("outcome", outcome).register(registry);
    }

    private AtomicInteger residentFlag(String model) {
        return resident.computeIfAbsent(model, m -> {
            AtomicInteger flag = new AtomicInteger();
            Gauge.builder("quokka.model.resident", flag, AtomicInteger::get)
                    .description("1 while the model is loaded in a runner, else 0").tag("model", m).register(registry);
            return flag;
        });
    }
}
