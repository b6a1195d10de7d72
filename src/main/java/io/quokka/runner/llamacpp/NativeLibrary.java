package io.quokka.runner.llamacpp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Extracts {@code libjllama.so} (llama.cpp + ggml, as shipped inside the {@code de.kherud:llama} jar) into a
 * private directory, once, for every runner to load. We never use the jar's own loader: it extracts into the
 * shared temp directory and first deletes every {@code llama*}/{@code jllama*} file there (other processes'
 * libraries included), and it prints to stdout.
 */
public final class NativeLibrary {
    private NativeLibrary() {}

    /** The resource path inside the jar for this OS and CPU, as {@code de.kherud:llama} lays it out. */
    static String resourcePath() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osDir;
        String file;
        if (os.contains("linux")) {
            osDir = "Linux";
            file = "libjllama.so";
        } else if (os.contains("mac") || os.contains("darwin")) {
            osDir = "Mac";
            file = "libjllama.dylib";
        } else {
            throw new UnsupportedOperationException("no llama.cpp library for OS " + os);
        }
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new UnsupportedOperationException("no llama.cpp library for CPU " + arch);
        };
        return "de/kherud/llama/" + osDir + "/" + archDir + "/" + file;
    }

    /** Environment variable naming a {@code libjllama.so} to load instead of the bundled one. */
    public static final String OVERRIDE_ENV = "QUOKKA_LLAMA_LIBRARY";

    /**
     * The library every runner loads: the file {@value #OVERRIDE_ENV} names (a build for another CPU, see
     * {@code native/README.md}; it must export llama.cpp b4916's C API), else the bundled one extracted into
     * {@code dir}.
     */
    public static Path locate(Path dir) {
        String override = System.getenv(OVERRIDE_ENV);
        if (override == null || override.isBlank()) return extract(dir);
        Path file = Path.of(override).toAbsolutePath();
        if (!Files.isRegularFile(file)) throw new IllegalStateException(OVERRIDE_ENV + " names no file: " + file);
        return file;
    }

    /**
     * Makes sure the library is in {@code dir} and returns its path. The file is named after a hash of its
     * content, so a different library version never reuses a stale file, and it is written to a temporary
     * name and renamed atomically, so concurrent servers or runners never load a half-written file.
     */
    public static Path extract(Path dir) {
        String resource = resourcePath();
        try {
            byte[] bytes;
            try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("resource not on the class path: " + resource);
                bytes = in.readAllBytes();
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
            String name = resource.substring(resource.lastIndexOf('/') + 1);
            Path target = dir.resolve(hash).resolve(name);
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) return target;
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".extract-", ".tmp");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " into " + dir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
