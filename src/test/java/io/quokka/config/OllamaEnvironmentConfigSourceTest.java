package io.quokka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OllamaEnvironmentConfigSourceTest {

    static OllamaEnvironmentConfigSource of(Map<String, String> env) {
        return new OllamaEnvironmentConfigSource(env::get);
    }

    @Test
    void ollamaDebugRaisesQuokkasLogLevel() {
        for (String on : new String[] {"1", "2", "true", "TRUE", "t", "'1'"}) {
            assertEquals("DEBUG", of(Map.of("OLLAMA_DEBUG", on)).getValue(OllamaEnvironmentConfigSource.QUOKKA_LOG_LEVEL),
                    on);
        }
        for (String off : new String[] {"", "0", "false", "f", "nope"}) {
            assertFalse(OllamaEnvironmentConfigSource.debug(off), off);
            assertNull(of(Map.of("OLLAMA_DEBUG", off)).getValue(OllamaEnvironmentConfigSource.QUOKKA_LOG_LEVEL), off);
        }
        assertNull(of(Map.of()).getValue(OllamaEnvironmentConfigSource.QUOKKA_LOG_LEVEL));
    }

    @Test
    void ollamaHostStillSetsTheListenAddress() {
        var source = of(Map.of("OLLAMA_HOST", " \":8080\" "));
        assertEquals("::", source.getValue("quarkus.http.host"));
        assertEquals("8080", source.getValue("quarkus.http.port"));
        assertNull(of(Map.of("OLLAMA_HOST", "  ")).getValue("quarkus.http.port"), "blank is unset");
    }

    @Test
    void valuesLoseTheirSurroundingSpacesAndQuotesAndEmptyMeansUnset() {
        var source = of(Map.of("OLLAMA_MODELS", " '/srv/my models' ", "OLLAMA_KEEP_ALIVE", "\"10m\"",
                "OLLAMA_NUM_PARALLEL", "'2'", "OLLAMA_PRELOAD_MODELS", "\"\"", "OLLAMA_ORIGINS", "''"));
        assertEquals("/srv/my models", source.getValue("quokka.models"));
        assertEquals("10m", source.getValue("quokka.keep-alive"));
        assertEquals("2", source.getValue("quokka.num-parallel"));
        assertNull(source.getValue("quokka.preload-models"));
        assertNull(source.getValue("quokka.origins"));
        assertEquals(List.of(), source.warnings());
        assertTrue(of(Map.of()).getPropertyNames().isEmpty(), "nothing set, nothing supplied: the defaults apply");
    }

    @Test
    void aCountThatIsNotANonNegativeIntegerIsIgnoredWithAWarning() {
        var source = of(Map.of("OLLAMA_NUM_PARALLEL", "auto", "OLLAMA_MAX_LOADED_MODELS", "-1",
                "OLLAMA_MAX_QUEUE", "99999999999", "OLLAMA_CONTEXT_LENGTH", "8192"));
        assertNull(source.getValue("quokka.num-parallel"));
        assertNull(source.getValue("quokka.max-loaded-models"));
        assertNull(source.getValue("quokka.max-queue"));
        assertEquals("8192", source.getValue("quokka.context-length"));
        assertEquals(3, source.warnings().size(), source.warnings().toString());
        assertTrue(source.warnings().stream().anyMatch(w -> w.contains("OLLAMA_NUM_PARALLEL=auto")), source.warnings().toString());
    }

    @Test
    void flagsAreGoBooleansAndAnythingElseSetIsOn() {
        for (String off : new String[] {"0", "f", "F", "false", "FALSE", "False", "'false'"}) {
            assertEquals("false", of(Map.of("OLLAMA_FLASH_ATTENTION", off)).getValue("quokka.flash-attention"), off);
        }
        for (String on : new String[] {"1", "t", "true", "TRUE", "yes", "on", "no"}) {
            assertEquals("true", of(Map.of("OLLAMA_NOPRUNE", on)).getValue("quokka.no-prune"), on);
        }
    }
}
