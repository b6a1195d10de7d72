package io.quokka.runner.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.EngineException;
import io.quokka.toy.ToyModelSpec;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** What b4916 cannot load is refused before a runner starts, naming the architecture, the engine and the cure. */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "qwen3moe"})
    void todaysArchitecturesAreRefusedNamingTheEngine(String arch) {
        var model = TestModels.model("tiny-" + arch + ".gguf", ToyModelSpec.tiny().withArchitecture(arch));
        EngineException e = assertThrows(EngineException.class,
                () -> engine().load(TestModels.request(model, 256, 64)));
        assertEquals(EngineException.Kind.LOAD_FAILED, e.kind());
        assertTrue(e.getMessage().startsWith("unknown model architecture: '" + arch + "' (llama.cpp b4916 cannot load"
                + " it; the current engine (llama.cpp v0.5.0) loads it"), e.getMessage());
    }
}
