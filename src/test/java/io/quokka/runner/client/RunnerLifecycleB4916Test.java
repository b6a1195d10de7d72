package io.quokka.runner.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runner's lifecycle on llama.cpp b4916, the engine a machine without the current release runs (chosen here with
 * {@code QUOKKA_ENGINE=b4916}, as an operator would): load, generate, cancel, crash and refusals, as on v0.5.0.
 */
class RunnerLifecycleB4916Test extends RunnerLifecycleTest {
    @Override
    RunnerEngine engine() {
        RunnerEngine.Settings settings = TestModels.engine().settings();
        Map<String, String> env = new HashMap<>(settings.environment());
        env.put("QUOKKA_ENGINE", "b4916");
        return new RunnerEngine(settings.withEnvironment(env));
    }

    @Test
    void theBundledEngineIsTheOneThatRuns() {
        assertEquals("b4916", engine().engineRelease());
    }
}
