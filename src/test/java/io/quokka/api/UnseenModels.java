package io.quokka.api;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.TensorType;
import io.quokka.store.Layer;
import io.quokka.store.Manifest;
import io.quokka.store.ModelName;
import io.quokka.store.StoreWriter;
import io.quokka.template.OllamaTemplates;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Models unlike our default toy, laid out as {@code ollama pull} writes them (layers in Ollama's order, the config
 * blob with {@code rootfs}), installed into the test store by {@link UnseenModelsApiTest} for its run:
 * <ul>
 *   <li>{@code qwen2.5:toy} — qwen2 architecture (q/k/v biases), byte-level BPE ("qwen2" pre), tied embeddings,
 *       Q4_0 with a Q8_0 token embedding, odd vocabulary (1001); Ollama's ChatML template, system, params, license;</li>
 *   <li>{@code llama3.2:toy} — llama, BPE ("llama-bpe") with Llama 3's control tokens, F16, tied; Ollama's llama3
 *       template and its stop tokens; a messages layer;</li>
 *   <li>{@code smollm:toy} — SmolLM-135M's heads (9 × 64, 3 KV heads), BPE, tied; NO template layer: chat goes
 *       through the GGUF ChatML template in llama.cpp;</li>
 *   <li>{@code gemma2:toy}, {@code phi3:toy}, {@code mistral:toy} — one BPE blob (Gemma's control tokens) under
 *       three Ollama library templates;</li>
 *   <li>{@code bare:toy} — neither a template layer nor a GGUF template, MHA (4 KV heads of 4);</li>
 *   <li>{@code llava:toy} — a text model with a projector layer (a vision model to Ollama);</li>
 *   <li>{@code kangaroo:toy} — always generates a token that ends one 4-byte character and starts the next; its
 *       params stop string is two of those characters around " k".</li>
 * </ul>
 * The library templates come from Ollama's corpus in {@code ../shared/ollama-templates/} ({@link OllamaTemplates}):
 * without it {@link #install} installs nothing and aborts (fails under {@code CI=true}); {@link UnseenModelsApiTest}
 * then reports each of its tests skipped.
 */
final class UnseenModels {
    private UnseenModels() {}

    static final String LLAMA3_GGUF_TEMPLATE = "{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
            + "<|end_header_id|>\n\n{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";
    static final String GEMMA_GGUF_TEMPLATE = "{% for m in messages %}<start_of_turn>{{ m['role'] }}\n"
            + "{{ m['content'] }}<end_of_turn>\n{% endfor %}<start_of_turn>model\n";

    static final ToyModelSpec QWEN = ToyModelSpec.tiny().withName("qwen2.5-toy").withArchitecture("qwen2")
            .withBpeVocab("qwen2").withTiedEmbeddings(true).withWeightType(TensorType.Q4_0)
            .withEmbeddingType(TensorType.Q8_0).withVocabSize(1001).withSeed(11);
    static final ToyModelSpec LLAMA3 = ToyModelSpec.tiny().withName("llama3.2-toy").withBpeVocab("llama-bpe")
            .withChatTemplate(LLAMA3_GGUF_TEMPLATE).withWeightType(TensorType.F16).withTiedEmbeddings(true)
            .withVocabSize(777).withSeed(12);
    static final ToyModelSpec SMOLLM = ToyModelSpec.tiny().withName("smollm-toy").withBpeVocab("smollm")
            .withShape(576, 2, 9, 3, 1536).withTiedEmbeddings(true).withVocabSize(1537).withSeed(13);
    static final ToyModelSpec GEMMA = ToyModelSpec.tiny().withName("gemma-toy").withBpeVocab("default")
            .withChatTemplate(GEMMA_GGUF_TEMPLATE).withVocabSize(640).withSeed(14);
    static final ToyModelSpec BARE = ToyModelSpec.tiny().withName("bare-toy").withShape(128, 2, 4, 4, 256)
            .withChatTemplate(null).withWeightType(TensorType.F16).withSeed(15);
    static final ToyModelSpec KANGAROO = ToyModelSpec.tiny().withName("kangaroo-toy").withBpeVocab("qwen2")
            .withFavouredSplitCharacter(true).withSeed(16);

    static final java.util.List<String> NAMES = java.util.List.of("qwen2.5:toy", "llama3.2:toy", "smollm:toy",
            "gemma2:toy", "phi3:toy", "mistral:toy", "bare:toy", "llava:toy", "kangaroo:toy");

    static final String LICENSE = "Apache License\nVersion 2.0, January 2004";

    static void install(Path root) throws IOException {
        OllamaTemplates.require();
        StoreWriter w = new StoreWriter(root, true);
        pull(w, "qwen2.5:toy", QWEN, template("chatml"), "You are Qwen, a helpful assistant.",
                "{\"stop\":[\"<|im_start|>\",\"<|im_end|>\"],\"temperature\":0.7,\"top_p\":0.8}", LICENSE, null, false);
        pull(w, "llama3.2:toy", LLAMA3, template("llama3-instruct"), null,
                "{\"stop\":[\"<|start_header_id|>\",\"<|end_header_id|>\",\"<|eot_id|>\"]}", "LLAMA 3.2 COMMUNITY LICENSE",
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]", false);
        pull(w, "smollm:toy", SMOLLM, null, null, null, null, null, false);
        pull(w, "gemma2:toy", GEMMA, template("gemma-instruct"), null,
                "{\"stop\":[\"<start_of_turn>\",\"<end_of_turn>\"]}", "Gemma Terms of Use", null, false);
        pull(w, "phi3:toy", GEMMA, template("phi-3"), null, "{\"stop\":[\"<|end|>\",\"<|user|>\",\"<|assistant|>\"]}",
                null, null, false);
        pull(w, "mistral:toy", GEMMA, template("mistral-instruct"), null, "{\"stop\":[\"[INST]\",\"[/INST]\"]}",
                null, null, false);
        pull(w, "bare:toy", BARE, null, null, null, null, null, false);
        pull(w, "llava:toy", ToyModelSpec.tiny().withName("llava-toy").withSeed(17), template("chatml"), null,
                "{\"stop\":[\"<|im_end|>\"]}", null, null, true);
        pull(w, "kangaroo:toy", KANGAROO, template("chatml"), null, "{\"stop\":[\"\uD83E\uDD98 k\uD83E\uDD98\"]}", null,
                null, false);
    }

    /** A library template from Ollama's corpus outside the repository ({@link OllamaTemplates}). */
    static String template(String name) {
        return OllamaTemplates.read(name + ".gotmpl");
    }

    /** Writes layers and config as a pull leaves them: model, template, system, params, license, messages, projector. */
    private static void pull(StoreWriter w, String name, ToyModelSpec spec, String template, String system,
                             String params, String license, String messages, boolean projector) throws IOException {
        Path gguf = Files.createTempFile("unseen-", ".gguf");
        try {
            ToyModel.write(spec, gguf);
            GgufFile header = GgufReader.read(gguf);
            List<Layer> layers = new ArrayList<>();
            layers.add(w.putLayer(Layer.MODEL, Files.readAllBytes(gguf)));
            if (template != null) layers.add(w.putLayer(Layer.TEMPLATE, utf8(template)));
            if (system != null) layers.add(w.putLayer(Layer.SYSTEM, utf8(system)));
            if (params != null) layers.add(w.putLayer(Layer.PARAMS, utf8(params)));
            if (license != null) layers.add(w.putLayer(Layer.LICENSE, utf8(license)));
            if (messages != null) layers.add(w.putLayer(Layer.MESSAGES, utf8(messages)));
            if (projector) {
                // any GGUF stands in for the CLIP projector: nothing reads it until images are supported
                ToyModel.write(ToyModelSpec.tiny().withName("mmproj"), gguf);
                layers.add(w.putLayer(Layer.PROJECTOR, Files.readAllBytes(gguf)));
            }
            String arch = header.architecture().orElseThrow();
            String diffIds = layers.stream().map(l -> "\"" + l.digest() + "\"").collect(Collectors.joining(","));
            String config = ("{\"model_format\":\"gguf\",\"model_family\":\"%s\",\"model_families\":[\"%s\"],"
                    + "\"model_type\":\"%s\",\"file_type\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\","
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}").formatted(arch, arch,
                    header.parameterSize(), header.quantizationLevel(), diffIds);
            Layer configLayer = w.putLayer(Layer.CONFIG, utf8(config));
            w.writeManifest(ModelName.parse(name), Manifest.of(configLayer, layers));
        } finally {
            Files.deleteIfExists(gguf);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
