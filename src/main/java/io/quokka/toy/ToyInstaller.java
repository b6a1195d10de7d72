package io.quokka.toy;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.store.ModelConfig;
import io.quokka.store.ModelName;
import io.quokka.store.StoreWriter;
import io.quokka.store.StoredModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Puts a generated toy model into an Ollama store, laid out as {@code ollama create} would: the GGUF blob, an
 * Ollama (Go) ChatML template layer (with tools), a params layer with the ChatML stop token, and the config blob.
 */
public final class ToyInstaller {

    /**
     * ChatML in Ollama's template language, the shape of the templates Ollama ships for ChatML models, with tool
     * support as llama3.1's template has it: the tools' definitions in a system turn, calls as bare JSON objects
     * (so Quokka reads output that is such an object as a call). Without tools the prompt is plain ChatML.
     */
    static final String CHATML_TEMPLATE = """
            {{- if .Tools }}<|im_start|>system
            To call a tool, answer with only a JSON object {"name": <tool name>, "arguments": <arguments object>}. \
            The tools:
            {{- range .Tools }}
            {{ json .Function }}
            {{- end }}<|im_end|>
            {{ end }}
            {{- range .Messages }}<|im_start|>{{ .Role }}
            {{ if .ToolCalls }}{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}\
            {{ end }}{{ else }}{{ .Content }}{{ end }}<|im_end|>
            {{ end }}<|im_start|>assistant
            """;

    private ToyInstaller() {}

    public static StoredModel install(Path storeRoot, ModelName name, ToyModelSpec spec) throws IOException {
        Path tmp = Files.createTempFile("quokka-toy-", ".gguf");
        try {
            ToyModel.write(spec, tmp);
            GgufFile gguf = GgufReader.read(tmp);
            ModelConfig config = ModelConfig.gguf(gguf.architecture().orElse("llama"), gguf.parameterSize(),
                    gguf.quantizationLevel());
            // Toy models never sample an end token (their output layer suppresses it), so a default length keeps
            // a plain curl without num_predict from streaming forever.
            Map<String, Object> params = Map.of("stop", java.util.List.of("<|im_start|>", "<|im_end|>"),
                    "num_predict", 128);
            return new StoreWriter(storeRoot, true).create(name, tmp, Optional.of(CHATML_TEMPLATE), Optional.empty(),
                    params, config);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
