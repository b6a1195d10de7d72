package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** {@link DepartureTests} with one slot ({@code OLLAMA_NUM_PARALLEL=1}). */
@QuarkusTest
@TestProfile(DepartureApiTest.OneSlot.class)
@QuarkusTestResource(TestStore.class)
class DepartureApiTest extends DepartureTests {
    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Departures.settings(1);
        }
    }

    @Override
    int slots() {
        return 1;
    }

    @Override
    long seed() {
        return 17;
    }
}
