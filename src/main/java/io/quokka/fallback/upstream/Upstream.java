package io.quokka.fallback.upstream;

import java.net.URI;
import java.time.Duration;

/**
 * Another server a fallback chain may send a request to.
 *
 * @param api            the API it speaks
 * @param baseUrl        Ollama's root ({@code http://host:11434}) or OpenAI's base URL with its version
 *                       ({@code https://api.deepseek.com/v1}), without a trailing slash
 * @param model          the model to ask it for
 * @param apiKeyVariable the environment variable holding the API key (sent as a bearer token), or null for none;
 *                       only its name is kept here, so the key never reaches a log line or an error message
 * @param timeout        how long to wait for the response to start, and then for each next line
 */
public record Upstream(Api api, URI baseUrl, String model, String apiKeyVariable, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** The wire format an upstream speaks. */
    public enum Api {
        /** Ollama's native API: {@code /api/chat}, {@code /api/generate}, NDJSON. */
        OLLAMA,
        /** OpenAI's chat completions: {@code /chat/completions}, server-sent events. */
        OPENAI
    }

    public Upstream {
        if (api == null || baseUrl == null || model == null || model.isBlank() || timeout == null) {
            throw new IllegalArgumentException("an upstream needs an API, a base URL, a model and a timeout");
        }
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("an upstream's base URL is http or https: " + baseUrl);
        }
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("put an upstream's API key in an environment variable, not its URL");
        }
    }

    /** How it is named in logs, headers and errors: {@code deepseek-chat@https://api.deepseek.com/v1}. */
    public String describe() {
        return model + "@" + baseUrl;
    }
}
