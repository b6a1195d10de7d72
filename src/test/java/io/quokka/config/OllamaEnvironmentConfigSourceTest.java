package io.quokka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OllamaEnvironmentConfigSourceTest {

    @Test
    void ollamaDebugRaisesQuokkasLogLevel() {
        for (String on : new String[] {"1", "2", "true", "TRUE", "t"}) {
            assertTrue(OllamaEnvironmentConfigSource.debug(on), on);
            assertEquals("DEBUG", new OllamaEnvironmentConfigSource(null, on)
                    .getValue(OllamaEnvironmentConfigSource.QUOKKA_LOG_LEVEL), on);
        }
        for (String off : new String[] {null, "", "0", "false", "f", "nope"}) {
            assertFalse(OllamaEnvironmentConfigSource.debug(off), String.valueOf(off));
            assertNull(new OllamaEnvironmentConfigSource(null, off).getValue(OllamaEnvironmentConfigSource.QUOKKA_LOG_LEVEL));
        }
    }

    @Test
    void ollamaHostStillSetsTheListenAddress() {
        var source = new OllamaEnvironmentConfigSource(":8080", "1");
        assertEquals("::", source.getValue("quarkus.http.host"));
        assertEquals("8080", source.getValue("quarkus.http.port"));
    }
}
