package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** {@link DepartureTests} with two slots ({@code OLLAMA_NUM_PARALLEL=2}: two llama.cpp sequences in one runner). */
@QuarkusTest
@TestProfile(DepartureParallelApiTest.TwoSlots.class)
@QuarkusTestResource(TestStore.class)
class DepartureParallelApiTest extends DepartureTests {
    public static class TwoSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Departures.settings(2);
        }
    }

    @Override
    int slots() {
        return 2;
    }

    @Override
    long seed() {
        return 29;
    }
}
