package io.quokka.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Docker v2 image manifest as Ollama writes it under {@code manifests/}.
 *
 * @param schemaVersion always 2
 * @param mediaType     {@link #MEDIA_TYPE}
 * @param config        the config blob ({@link ModelConfig})
 * @param layers        the model's blobs, in order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"schemaVersion", "mediaType", "config", "layers"})
@RegisterForReflection
public record Manifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("config") Layer config,
        @JsonProperty("layers") List<Layer> layers) {

    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

    public Manifest {
        Objects.requireNonNull(config, "manifest config");
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** A schema-2 manifest as {@code ollama create} writes it. */
    public static Manifest of(Layer config, List<Layer> layers) {
        return new Manifest(2, MEDIA_TYPE, config, layers);
    }

    /** Sum of the layer sizes and the config size: Ollama's {@code Manifest.Size}, the {@code size} of /api/tags. */
    public long size() {
        return layers.stream().mapToLong(Layer::size).sum() + config.size();
    }

    /** The layers of one media type, in manifest order. */
    public List<Layer> layers(String mediaType) {
        return layers.stream().filter(l -> l.mediaType().equals(mediaType)).toList();
    }

    /** The first layer of one media type. */
    public Optional<Layer> layer(String mediaType) {
        return layers.stream().filter(l -> l.mediaType().equals(mediaType)).findFirst();
    }
}
