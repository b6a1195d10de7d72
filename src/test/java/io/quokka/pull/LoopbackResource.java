package io.quokka.pull;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the server's Hugging Face endpoint at the shared {@link LoopbackRegistry} and shortens the pull retry
 * backoff, so pull tests run offline and fast.
 */
public class LoopbackResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("quokka.hf-endpoint", LoopbackRegistry.shared().base().toString(),
                "quokka.pull-retry-backoff", "20ms");
    }

    @Override
    public void stop() {
        // The registry lives as long as the test JVM: other profiles' servers use it too.
    }
}
