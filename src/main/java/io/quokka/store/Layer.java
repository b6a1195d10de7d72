package io.quokka.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Objects;

/**
 * One entry of a manifest ({@code config} or an element of {@code layers}): a blob and what it holds.
 *
 * @param mediaType what the blob holds, one of the constants below
 * @param digest    the blob's content digest
 * @param size      the blob's length in bytes
 * @param from      for a model layer copied from another model, where it came from; null when absent
 * @param name      for tensor layers of non-GGUF models, the tensor name; null when absent
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"mediaType", "digest", "size", "from", "name"})
@RegisterForReflection
public record Layer(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") Digest digest,
        @JsonProperty("size") long size,
        @JsonProperty("from") @JsonInclude(JsonInclude.Include.NON_EMPTY) String from,
        @JsonProperty("name") @JsonInclude(JsonInclude.Include.NON_EMPTY) String name) {

    /** The GGUF weights. */
    public static final String MODEL = "application/vnd.ollama.image.model";
    /** A Go text/template prompt template. */
    public static final String TEMPLATE = "application/vnd.ollama.image.template";
    /** The pre-0.1.x name of {@link #TEMPLATE}, still read by Ollama. */
    public static final String PROMPT = "application/vnd.ollama.image.prompt";
    /** The default system prompt. */
    public static final String SYSTEM = "application/vnd.ollama.image.system";
    /** Default options as a JSON object. */
    public static final String PARAMS = "application/vnd.ollama.image.params";
    /** A license text; a model may have several. */
    public static final String LICENSE = "application/vnd.ollama.image.license";
    /** Seed conversation as a JSON array of messages. */
    public static final String MESSAGES = "application/vnd.ollama.image.messages";
    /** A LoRA adapter (GGUF). */
    public static final String ADAPTER = "application/vnd.ollama.image.adapter";
    /** A multimodal projector (GGUF). */
    public static final String PROJECTOR = "application/vnd.ollama.image.projector";
    /** The config blob referenced by a manifest's {@code config}. */
    public static final String CONFIG = "application/vnd.docker.container.image.v1+json";

    public Layer {
        Objects.requireNonNull(mediaType, "layer mediaType");
        Objects.requireNonNull(digest, "layer digest");
        if (size < 0) {
            throw new IllegalArgumentException("layer size " + size + " is negative");
        }
    }

    /** A layer with neither {@code from} nor {@code name}. */
    public Layer(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null);
    }
}
