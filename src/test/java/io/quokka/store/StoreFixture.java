package io.quokka.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lays files out as Ollama does: {@code blobs/sha256-<hex>} and {@code manifests/<host>/<ns>/<model>/<tag>}. */
final class StoreFixture {

    final Path root;

    StoreFixture(Path root) {
        this.root = root;
    }

    /** Writes a blob and returns its {@code sha256:<hex>} digest. */
    String blob(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.of(bytes);
        write(root.resolve("blobs").resolve(d.fileName()), bytes);
        return d.toString();
    }

    static int size(String content) {
        return content.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Writes a manifest file at {@code manifests/<relative>} and returns its path. */
    Path manifest(String relative, String json) {
        Path p = root.resolve("manifests").resolve(relative);
        write(p, json.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    static void write(Path p, byte[] bytes) {
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
