package io.quokka.api;

import io.quokka.store.ModelConfig;
import io.quokka.store.ModelName;
import io.quokka.store.StoreWriter;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Tiny toy models with a twist, installed into the {@link TestStore} for the fallback tests: one whose header claims
 * 16 million attention heads (the memory guard's estimate is petabytes, so it refuses on any machine, and nothing is
 * ever loaded), one whose tensor is misnamed (Quokka's header check passes, llama.cpp refuses the load), plain copies.
 */
final class FallbackModels {
    private static final java.util.Set<String> INSTALLED = new java.util.HashSet<>();

    private FallbackModels() {}

    /** Takes the models out of the store again, so that listings elsewhere see only the test store's own. */
    static synchronized void uninstallAll() {
        for (String name : INSTALLED) {
            try {
                Files.deleteIfExists(ModelName.parse(name).manifestPath(TestStore.root));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        INSTALLED.clear();
    }

    /** A model the memory guard refuses everywhere. */
    static void installHuge(String name) {
        install(name, bytes -> replaceUint32(bytes, "llama.attention.head_count", 1 << 24));
    }

    /** A model llama.cpp refuses to load: {@code output_norm.weight} is missing. */
    static void installDamaged(String name) {
        install(name, bytes -> replace(bytes, "output_norm.weight", "output_norq.weight"));
    }

    static void installPlain(String name) {
        install(name, bytes -> bytes);
    }

    private static synchronized void install(String name, UnaryOperator<byte[]> patch) {
        try {
            if (INSTALLED.contains(name)) return;
            Path gguf = Files.createTempFile("fallback-", ".gguf");
            ToyModel.write(ToyModelSpec.tiny().withName(name), gguf);
            Files.write(gguf, patch.apply(Files.readAllBytes(gguf)));
            new StoreWriter(TestStore.root, true).create(ModelName.parse(name), gguf, Optional.empty(), Optional.empty(),
                    Map.of("num_predict", 8, "stop", List.of("<|im_end|>")), ModelConfig.gguf("llama", "0.4M", "Q8_0"));
            Files.delete(gguf);
            INSTALLED.add(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UINT32 metadata value: the key (with its u64 length before it), type 4, then the value. */
    private static byte[] replaceUint32(byte[] bytes, String key, int value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer pattern = ByteBuffer.allocate(8 + k.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        pattern.putLong(k.length).put(k).putInt(4);
        int at = indexOf(bytes, pattern.array());
        ByteBuffer.wrap(bytes, at + pattern.capacity(), 4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
        return bytes;
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(to.getBytes(StandardCharsets.UTF_8), 0, bytes, indexOf(bytes, f), f.length);
        return bytes;
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (bytes[i + j] != pattern[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("pattern not found in the toy model");
    }
}
