package io.quokka.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Byte-for-byte what Go's json.Encoder writes, since blob digests depend on it. */
class GoJsonTest {

    private static String encode(Object o) {
        return new String(GoJson.encode(o), StandardCharsets.UTF_8);
    }

    @Test
    void paramsAsOllamaWritesThem() {
        // Ollama's llama3 params blob, as served by the registry.
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("stop", List.of("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"));
        params.put("num_keep", 24);
        assertEquals("{\"num_keep\":24,\"stop\":[\"\\u003c|start_header_id|\\u003e\",\"\\u003c|end_header_id|\\u003e\","
                + "\"\\u003c|eot_id|\\u003e\"]}\n", encode(params));
    }

    @Test
    void escapesAsGo() {
        assertEquals("\"a\\u0026b \\n\\t\\r \\u001b \\b\\f \\u2028\\u2029 é \\\"\\\\ /\"\n",
                encode("a&b \n\t\r \u001b \b\f \u2028\u2029 é \"\\ /"));
    }

    @Test
    void floatsAsGo() {
        assertEquals("0.7", GoJson.formatFloat(0.7));
        assertEquals("1", GoJson.formatFloat(1.0));
        assertEquals("4096", GoJson.formatFloat(4096.0));
        assertEquals("-0.5", GoJson.formatFloat(-0.5));
        assertEquals("0", GoJson.formatFloat(0.0));
        assertEquals("0.000001", GoJson.formatFloat(1e-6));
        assertEquals("1e-7", GoJson.formatFloat(1e-7));
        assertEquals("1.5e-7", GoJson.formatFloat(1.5e-7));
        assertEquals("100000000000000000000", GoJson.formatFloat(1e20));
        assertEquals("1e+21", GoJson.formatFloat(1e21));
        assertEquals("12345678.9", GoJson.formatFloat(12345678.9));
        assertEquals("{\"temperature\":0.7,\"top_k\":40,\"top_p\":0.9}\n",
                encode(Map.of("top_p", 0.9, "temperature", 0.7f, "top_k", 40)));
    }

    @Test
    void manifestAsOllamaWritesIt() {
        Digest a = Digest.of("a".getBytes(StandardCharsets.UTF_8));
        Digest b = Digest.of("b".getBytes(StandardCharsets.UTF_8));
        Manifest m = Manifest.of(new Layer(Layer.CONFIG, a, 1), List.of(new Layer(Layer.MODEL, b, 2, "x", null)));
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + a
                + "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"" + b
                + "\",\"size\":2,\"from\":\"x\"}]}\n", encode(m));
    }

    @Test
    void configAsOllamaWritesIt() {
        assertEquals("{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model_families\":[\"llama\"],"
                + "\"model_type\":\"8.0B\",\"file_type\":\"Q4_K_M\",\"architecture\":\"amd64\",\"os\":\"linux\"}\n",
                encode(ModelConfig.gguf("llama", "8.0B", "Q4_K_M")));
        assertEquals("{\"model_format\":\"\",\"model_family\":\"\",\"model_families\":null,\"model_type\":\"\","
                + "\"file_type\":\"\",\"renderer\":\"r\",\"parser\":\"p\",\"context_length\":8192,"
                + "\"architecture\":\"\",\"os\":\"\"}\n",
                encode(new ModelConfig(null, null, null, null, null, "r", "p", null, null, null, null, 8192, 0, null,
                        null, null)));
    }

    @Test
    void messagesAsOllamaWritesThem() {
        assertEquals("[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\","
                + "\"thinking\":\"hm\"}]\n",
                encode(List.of(new ModelMessage("USER", "hi"),
                        new ModelMessage("assistant", "hello", "hm", null, null, null))));
    }
}
