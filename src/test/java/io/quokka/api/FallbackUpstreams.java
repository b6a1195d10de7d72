package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quokka.fallback.UpstreamStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The loopback upstream ({@link UpstreamStub}) and the fallback chains of {@link FallbackApiTest}, for models only that
 * test installs, so the rest of the suite shares the same Quarkus start and never meets a chain. The API key reaches
 * the server as a configuration value named like the environment variable the chain names.
 */
public class FallbackUpstreams implements QuarkusTestResourceLifecycleManager {
    static final String KEY_VARIABLE = "QUOKKA_TEST_UPSTREAM_KEY";
    static UpstreamStub stub;

    @Override
    public Map<String, String> start() {
        try {
            stub = new UpstreamStub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String chains = String.join(";",
                "giant = toy",
                "colossal = not-pulled, openai " + stub.base() + "/openai/v1 deepseek-chat key=" + KEY_VARIABLE,
                "mammoth = ollama " + stub.base() + "/ollama llama3.2",
                "doomed = ollama " + stub.base() + "/broken m",
                "damaged = toy",
                "fragile = toy",
                "sturdy = toy",
                "lively = ollama " + stub.base() + "/ollama llama3.2",
                "crowded = ollama " + stub.base() + "/ollama llama3.2 | on-busy");
        return Map.of("quokka.fallbacks", chains, KEY_VARIABLE, UpstreamStub.KEY);
    }

    @Override
    public void stop() {
        if (stub != null) stub.close();
    }
}
