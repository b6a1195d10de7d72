package io.quokka.engine;

import java.util.Locale;
import java.util.Optional;

/** KV cache element types Ollama accepts in {@code OLLAMA_KV_CACHE_TYPE}, with their ggml type ids. */
public enum KvCacheType {
    F16(1, 2.0),
    Q8_0(8, 34.0 / 32),
    Q4_0(2, 18.0 / 32);

    /** ggml_type id, as llama.cpp's context params expect it. */
    public final int ggmlType;
    /** Bytes per element, block overhead included. */
    public final double bytesPerElement;

    KvCacheType(int ggmlType, double bytesPerElement) {
        this.ggmlType = ggmlType;
        this.bytesPerElement = bytesPerElement;
    }

    public static Optional<KvCacheType> parse(String name) {
        if (name == null || name.isBlank()) return Optional.empty();
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
