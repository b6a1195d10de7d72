package io.quokka.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Objects;

/**
 * The config blob of a model (Ollama's {@code model.ConfigV2}). Absent strings read as {@code ""}, as in Go.
 *
 * @param modelFormat     weights format: {@code gguf} (also when empty) or {@code safetensors}
 * @param modelFamily     architecture of the model layer, e.g. {@code llama}; /api/tags {@code details.family}
 * @param modelFamilies   architectures of all model layers; null when the blob has none (written as {@code null})
 * @param modelType       human parameter count, e.g. {@code 8.0B}; /api/tags {@code details.parameter_size}
 * @param fileType        quantization, e.g. {@code Q4_K_M}; /api/tags {@code details.quantization_level}
 * @param renderer        built-in prompt renderer that replaces the template; "" when none
 * @param parser          built-in output parser (tools, thinking); "" when none
 * @param requires        minimum Ollama version the model needs; "" when none
 * @param remoteHost      for cloud models, the host serving them; "" otherwise
 * @param remoteModel     for cloud models, the model name there; "" otherwise
 * @param capabilities    declared capabilities (remote models); empty when none
 * @param contextLength   declared context length; 0 when unknown
 * @param embeddingLength declared embedding length; 0 when unknown
 * @param baseName        declared base model name; "" when none
 * @param architecture    OCI platform architecture, {@code amd64} as Ollama writes it
 * @param os              OCI platform OS, {@code linux} as Ollama writes it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
    "model_format", "model_family", "model_families", "model_type", "file_type", "renderer", "parser", "requires",
    "remote_host", "remote_model", "capabilities", "context_length", "embedding_length", "base_name",
    "architecture", "os"
})
@RegisterForReflection
public record ModelConfig(
        @JsonProperty("model_format") String modelFormat,
        @JsonProperty("model_family") String modelFamily,
        @JsonProperty("model_families") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> modelFamilies,
        @JsonProperty("model_type") String modelType,
        @JsonProperty("file_type") String fileType,
        @JsonProperty("renderer") @JsonInclude(JsonInclude.Include.NON_EMPTY) String renderer,
        @JsonProperty("parser") @JsonInclude(JsonInclude.Include.NON_EMPTY) String parser,
        @JsonProperty("requires") @JsonInclude(JsonInclude.Include.NON_EMPTY) String requires,
        @JsonProperty("remote_host") @JsonInclude(JsonInclude.Include.NON_EMPTY) String remoteHost,
        @JsonProperty("remote_model") @JsonInclude(JsonInclude.Include.NON_EMPTY) String remoteModel,
        @JsonProperty("capabilities") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> capabilities,
        @JsonProperty("context_length") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int contextLength,
        @JsonProperty("embedding_length") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int embeddingLength,
        @JsonProperty("base_name") @JsonInclude(JsonInclude.Include.NON_EMPTY) String baseName,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os) {

    /** All fields empty. */
    static final ModelConfig EMPTY = gguf("", "", "");

    public ModelConfig {
        modelFormat = Objects.requireNonNullElse(modelFormat, "");
        modelFamily = Objects.requireNonNullElse(modelFamily, "");
        modelFamilies = modelFamilies == null ? null : List.copyOf(modelFamilies);
        modelType = Objects.requireNonNullElse(modelType, "");
        fileType = Objects.requireNonNullElse(fileType, "");
        renderer = Objects.requireNonNullElse(renderer, "");
        parser = Objects.requireNonNullElse(parser, "");
        requires = Objects.requireNonNullElse(requires, "");
        remoteHost = Objects.requireNonNullElse(remoteHost, "");
        remoteModel = Objects.requireNonNullElse(remoteModel, "");
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        baseName = Objects.requireNonNullElse(baseName, "");
        architecture = Objects.requireNonNullElse(architecture, "");
        os = Objects.requireNonNullElse(os, "");
    }

    /**
     * The config {@code ollama create} writes for a GGUF model: format {@code gguf}, the family also as the only
     * entry of {@code model_families}, platform {@code linux/amd64}.
     */
    public static ModelConfig gguf(String family, String parameterSize, String quantization) {
        return new ModelConfig("gguf", family, family.isEmpty() ? null : List.of(family), parameterSize,
                quantization, "", "", "", "", "", List.of(), 0, 0, "", "amd64", "linux");
    }

    /** This config with a built-in renderer and parser (empty strings for none). */
    public ModelConfig withRendererAndParser(String newRenderer, String newParser) {
        return new ModelConfig(modelFormat, modelFamily, modelFamilies, modelType, fileType, newRenderer, newParser,
                requires, remoteHost, remoteModel, capabilities, contextLength, embeddingLength, baseName,
                architecture, os);
    }

    /** True for GGUF weights, which is also what an empty format means (Ollama's {@code isGGUF}). */
    @JsonIgnore
    public boolean isGguf() {
        return modelFormat.isEmpty() || modelFormat.equals("gguf");
    }
}
