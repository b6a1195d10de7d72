package io.quokka.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quokka.gguf.TensorType;
import io.quokka.store.ModelConfig;
import io.quokka.store.ModelName;
import io.quokka.store.StoreWriter;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A temporary Ollama store for the API tests, laid out exactly as Ollama writes it, holding generated models:
 * <ul>
 *   <li>{@code toy} — the toy model as {@code quokka toy} installs it (Ollama ChatML template layer, params);</li>
 *   <li>{@code plain/q4:small} — Q4_0, another shape, no template layer: chat goes through the GGUF ChatML
 *       template in llama.cpp; a system layer;</li>
 *   <li>{@code broken} — a manifest whose model blob is not a valid GGUF file;</li>
 *   <li>{@code thinker} — the toy's weights with a qwen3-style template: thinking tags (its prompt opens the
 *       thinking when the request thinks, so all it writes is thinking) and {@code <tool_call>} tools.</li>
 * </ul>
 */
public class TestStore implements QuarkusTestResourceLifecycleManager {
    static Path root;

    /** Thinking (tags inferred from {@code .Thinking} in the message range) and qwen-style tool calls. */
    static final String THINKER_TEMPLATE = """
            {{- if .Tools }}<|im_start|>system
            <tools>
            {{- range .Tools }}
            {{ json .Function }}
            {{- end }}
            </tools>
            Call a tool with <tool_call>{"name": <function-name>, "arguments": <args-json-object>}</tool_call><|im_end|>
            {{ end }}
            {{- range .Messages }}<|im_start|>{{ .Role }}
            {{ if .Thinking }}<think>{{ .Thinking }}</think>
            {{ end }}{{ if .ToolCalls }}<tool_call>
            {{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
            {{ end }}</tool_call>{{ else }}{{ .Content }}{{ end }}<|im_end|>
            {{ end }}<|im_start|>assistant
            {{ if .Think }}<think>
            {{ end }}""";

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("quokka-store-");
            ToyInstaller.install(root, ModelName.parse("toy"), ToyModelSpec.tiny().withName("toy"));

            Path gguf = Files.createTempFile("plain-", ".gguf");
            ToyModel.write(new ToyModelSpec("plain", 600, 96, 3, 3, 1, 192, 4096, TensorType.Q4_0, 7,
                    ToyModelSpec.CHATML), gguf);
            StoreWriter writer = new StoreWriter(root, true);
            writer.create(ModelName.parse("plain/q4:small"), gguf, Optional.empty(),
                    Optional.of("You are a quokka."), Map.of("temperature", 0.5), ModelConfig.gguf("llama", "0.4M", "Q4_0"));
            Files.delete(gguf);

            Path thinker = Files.createTempFile("thinker-", ".gguf");
            ToyModel.write(ToyModelSpec.tiny().withName("thinker"), thinker);
            writer.create(ModelName.parse("thinker"), thinker, Optional.of(THINKER_TEMPLATE), Optional.empty(),
                    Map.of("stop", List.of("<|im_start|>", "<|im_end|>"), "num_predict", 128),
                    ModelConfig.gguf("llama", "0.1M", "Q8_0"));
            Files.delete(thinker);

            Path junk = Files.createTempFile("broken-", ".gguf");
            Files.write(junk, "GGUF\u0003\u0000\u0000\u0000this is not a model at all".getBytes());
            writer.create(ModelName.parse("broken"), junk, Optional.empty(), Optional.empty(), Map.of(),
                    ModelConfig.gguf("llama", "1B", "Q4_0"));
            Files.delete(junk);
            return Map.of("quokka.models", root.toString(), "quokka.toy-default", "false",
                    "quokka.keep-alive", "5m");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (root == null) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: a temp directory.
        }
    }

    static List<String> names() {
        return List.of("toy:latest", "plain/q4:small", "broken:latest", "thinker:latest");
    }
}
