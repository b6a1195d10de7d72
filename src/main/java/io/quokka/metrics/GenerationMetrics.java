package io.quokka.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quokka.generation.GenerationObserver;
import io.quokka.generation.GenerationReport;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Generations as Prometheus meters, tagged by model: {@code quokka_time_to_first_token_seconds},
 * {@code quokka_prompt_tokens_total}, {@code quokka_generated_tokens_total},
 * {@code quokka_generation_tokens_per_second}, {@code quokka_requests_total{endpoint,outcome}} and
 * {@code quokka_fallbacks_total{reason,from,to}} (one per alternative a fallback chain tried).
 */
@Singleton
public class GenerationMetrics implements GenerationObserver {
    static final Duration[] TTFT_BUCKETS = {Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    static final double[] SPEED_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

    private final MeterRegistry registry;

    GenerationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void finished(GenerationReport r) {
        Counter.builder("quokka.requests").description("Generation requests that reached the scheduler, by outcome")
                .tag("endpoint", r.endpoint()).tag("model", r.model()).tag("outcome", r.outcome())
                .register(registry).increment();
        if (r.fallback() != null) {
            Counter.builder("quokka.fallbacks").description("Requests moved down a fallback chain: from the model "
                            + "that could not answer to the alternative tried next")
                    .tag("reason", r.fallback().reason()).tag("from", r.fallback().from()).tag("to", r.fallback().to())
                    .register(registry).increment();
        }
        if (r.timeToFirstNanos() >= 0) {
            Timer.builder("quokka.time.to.first.token").description("Request arrival to the first generated text")
                    .tag("model", r.model()).tag("endpoint", r.endpoint()).serviceLevelObjectives(TTFT_BUCKETS)
                    .register(registry).record(r.timeToFirstNanos(), TimeUnit.NANOSECONDS);
        }
        if (r.promptTokens() > 0) {
            Counter.builder("quokka.prompt.tokens").description("Prompt tokens evaluated")
                    .tag("model", r.model()).register(registry).increment(r.promptTokens());
        }
        if (r.generatedTokens() > 0) {
            Counter.builder("quokka.generated.tokens").description("Tokens generated (eval_count)")
                    .tag("model", r.model()).register(registry).increment(r.generatedTokens());
            DistributionSummary.builder("quokka.generation.tokens.per.second")
                    .description("Generation speed of each request, tokens per second").tag("model", r.model())
                    .serviceLevelObjectives(SPEED_BUCKETS).register(registry).record(r.tokensPerSecond());
        }
    }
}
