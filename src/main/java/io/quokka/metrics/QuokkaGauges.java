package io.quokka.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.quokka.scheduler.MemoryGuardStats;
import io.quokka.scheduler.ResidentModel;
import io.quokka.scheduler.Scheduler;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gauges read at scrape time: {@code quokka_queue_depth}, {@code quokka_requests_in_flight},
 * {@code quokka_process_resident_memory_bytes{process="server"|"runners"}} and, when a memory guard exists,
 * {@code quokka_memory_estimate_bytes}, {@code quokka_memory_limit_bytes}, {@code quokka_memory_refusals_total}.
 * Reading them never touches a keep-alive timer.
 */
@Singleton
public class QuokkaGauges implements MeterBinder {
    private final Scheduler scheduler;
    private final Instance<MemoryGuardStats> guard;

    QuokkaGauges(Scheduler scheduler, Instance<MemoryGuardStats> guard) {
        this.scheduler = scheduler;
        this.guard = guard;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("quokka.queue.depth", scheduler, s -> s.stats().queued())
                .description("Requests waiting for a model").register(registry);
        Gauge.builder("quokka.requests.in.flight", scheduler, s -> s.stats().inFlight())
                .description("Requests holding a resident model (slots busy, all models)").register(registry);
        Gauge.builder("quokka.process.resident.memory", QuokkaGauges::serverRss).baseUnit(BaseUnits.BYTES)
                .description("Resident set size: the server process, or all runner processes").tag("process", "server")
                .register(registry);
        Gauge.builder("quokka.process.resident.memory", scheduler, QuokkaGauges::runnersRss).baseUnit(BaseUnits.BYTES)
                .description("Resident set size: the server process, or all runner processes").tag("process", "runners")
                .register(registry);
        if (guard.isResolvable()) {
            MemoryGuardStats g = guard.get();
            Gauge.builder("quokka.memory.estimate", g, MemoryGuardStats::estimateBytes).baseUnit(BaseUnits.BYTES)
                    .description("Memory guard: estimated use").register(registry);
            Gauge.builder("quokka.memory.limit", g, MemoryGuardStats::limitBytes).baseUnit(BaseUnits.BYTES)
                    .description("Memory guard: the limit").register(registry);
            FunctionCounter.builder("quokka.memory.refusals", g, MemoryGuardStats::refusals)
                    .description("Memory guard: loads refused").register(registry);
        }
    }

    static double runnersRss(Scheduler scheduler) {
        return scheduler.resident().stream().mapToLong(ResidentModel::sizeBytes).sum();
    }

    /** VmRSS from /proc (Linux); NaN elsewhere. */
    static double serverRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: unknown.
        }
        return Double.NaN;
    }
}
