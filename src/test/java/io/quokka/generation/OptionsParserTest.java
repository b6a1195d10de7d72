package io.quokka.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link OptionsParser}: Ollama's defaults, then the model's params, then the request's options, typed as Go's. */
class OptionsParserTest {
    private static final OptionsParser.Defaults DEFAULTS = new OptionsParser.Defaults(4096, 2);

    @Test
    void ollamasDefaults() {
        Options o = OptionsParser.parse(DEFAULTS, null, null);
        assertEquals(4, o.numKeep());
        assertEquals(-1, o.seed());
        assertEquals(-1, o.numPredict());
        assertEquals(40, o.topK());
        assertEquals(0.9f, o.topP());
        assertEquals(0.0f, o.minP());
        assertEquals(1.0f, o.typicalP());
        assertEquals(64, o.repeatLastN());
        assertEquals(0.8f, o.temperature());
        assertEquals(1.0f, o.repeatPenalty());
        assertEquals(List.of(), o.stop());
        assertEquals(4096, o.numCtx());
        assertEquals(512, o.numBatch());
        assertEquals(2, o.numThread());
        assertTrue(o.useMmap());
    }

    @Test
    void theRequestWinsOverTheModelWhichWinsOverTheDefaults() {
        Map<String, Object> model = Map.of("temperature", 0.5, "num_ctx", 8192, "stop", List.of("<|im_end|>"));
        Map<String, Object> request = Map.of("temperature", 0, "top_k", 1);
        Options o = OptionsParser.parse(DEFAULTS, model, request);
        assertEquals(0.0f, o.temperature());
        assertEquals(1, o.topK());
        assertEquals(8192, o.numCtx());
        assertEquals(List.of("<|im_end|>"), o.stop());
    }

    @Test
    void integersTruncateFractionsAndSizesKeepTheirBounds() {
        Map<String, Object> request = new HashMap<>();
        request.put("num_predict", 12.9);
        request.put("num_ctx", 0);          // not positive: the default stays
        request.put("num_batch", -5);
        request.put("num_thread", 1e308);   // as large as JSON allows: capped (the runner caps it at the cores)
        request.put("seed", 42L);
        request.put("num_gpu", 99);         // accepted, meaningless on a CPU-only server
        request.put("no_such_option", "x"); // unknown: ignored with a warning, as Ollama does
        request.put("stop", null);          // null: as if absent
        Options o = OptionsParser.parse(DEFAULTS, null, request);
        assertEquals(12, o.numPredict());
        assertEquals(4096, o.numCtx());
        assertEquals(512, o.numBatch());
        assertEquals(1024, o.numThread());
        assertEquals(42, o.seed());
        assertEquals(List.of(), o.stop());
    }

    @Test
    void wrongTypesAreOllamasMessages() {
        assertEquals("option \"num_predict\" must be of type integer", refused(Map.of("num_predict", "ten")));
        assertEquals("option \"temperature\" must be of type float32", refused(Map.of("temperature", true)));
        assertEquals("option \"use_mmap\" must be of type boolean", refused(Map.of("use_mmap", 1)));
        assertEquals("option \"stop\" must be of type array", refused(Map.of("stop", "\n")));
        assertEquals("option \"stop\" must be of an array of strings", refused(Map.of("stop", List.of(1))));
    }

    private static String refused(Map<String, Object> request) {
        return assertThrows(InvalidRequestException.class, () -> OptionsParser.parse(DEFAULTS, null, request))
                .getMessage();
    }
}
