package io.quokka.metrics;

import io.quokka.generation.GenerationObserver;
import io.quokka.generation.GenerationReport;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One line per generation on the {@code io.quokka.access} logger: model, prompt and generated tokens, time to
 * first token, tokens/s, done reason and status. In JSON logging the same values are also MDC fields.
 */
@Singleton
public class AccessLog implements GenerationObserver {
    private static final Logger LOG = Logger.getLogger("io.quokka.access");

    @Override
    public void finished(GenerationReport r) {
        if (!LOG.isInfoEnabled()) return;
        String ttft = r.timeToFirstNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.timeToFirstNanos() / 1e9);
        String speed = String.format(Locale.ROOT, "%.1f", r.tokensPerSecond());
        String total = String.format(Locale.ROOT, "%.3f", r.totalNanos() / 1e9);
        MDC.put("model", r.model());
        MDC.put("endpoint", r.endpoint());
        MDC.put("prompt_tokens", r.promptTokens());
        MDC.put("generated_tokens", r.generatedTokens());
        MDC.put("ttft_seconds", ttft);
        MDC.put("tokens_per_second", speed);
        MDC.put("done_reason", r.outcome());
        MDC.put("status", r.status());
        String fallback = "";
        if (r.fallback() != null) {
            fallback = " fallback_from=" + r.fallback().from() + " fallback_reason=" + r.fallback().reason()
                    + " requested_model=" + r.fallback().requested();
            MDC.put("fallback_from", r.fallback().from());
            MDC.put("fallback_reason", r.fallback().reason());
            MDC.put("requested_model", r.fallback().requested());
        }
        try {
            LOG.infof("%s model=%s prompt_tokens=%d generated_tokens=%d ttft=%ss tokens_per_second=%s total=%ss "
                            + "done_reason=%s status=%d%s%s", r.endpoint(), r.model(), r.promptTokens(),
                    r.generatedTokens(), ttft, speed, total, r.outcome(), r.status(), fallback,
                    r.error() == null ? "" : " error=\"" + r.error() + "\"");
        } finally {
            for (String key : new String[] {"model", "endpoint", "prompt_tokens", "generated_tokens", "ttft_seconds",
                    "tokens_per_second", "done_reason", "status", "fallback_from", "fallback_reason", "requested_model"}) {
                MDC.remove(key);
            }
        }
    }
}
