package io.quokka.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * Who may reach the API and how much a request may ask for. Every limit is off (or generous) by default, so an
 * unconfigured Quokka behaves as {@code ollama serve}.
 */
@ConfigMapping(prefix = "quokka")
public interface SecurityConfig {

    /**
     * Extra CORS origins, comma-separated, each optionally with one {@code *} wildcard ({@code OLLAMA_ORIGINS}); added
     * to Ollama's defaults (localhost, 127.0.0.1 and 0.0.0.0 on any port, and the app schemes). {@code *} allows all.
     */
    Optional<String> origins();

    /**
     * A shared secret ({@code QUOKKA_API_KEY}). When set, every request but {@code /}, the liveness/readiness/startup
     * probes and {@code /health} must carry {@code Authorization: Bearer <key>}. Never logged.
     */
    Optional<String> apiKey();

    /** Largest {@code num_predict} a request may ask for ({@code QUOKKA_MAX_NUM_PREDICT}); 0 = no cap. */
    @WithDefault("0")
    int maxNumPredict();

    /** Largest {@code num_ctx} a request may ask for ({@code QUOKKA_MAX_NUM_CTX}); 0 = no cap. */
    @WithDefault("0")
    int maxNumCtx();

    /** Largest prompt in UTF-8 bytes (prompt, system, suffix, messages, embedding input) ({@code QUOKKA_MAX_PROMPT_BYTES}); 0 = no cap. */
    @WithDefault("0")
    long maxPromptBytes();
}
