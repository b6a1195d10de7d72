package io.quokka.generation;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates model files with Quokka's own GGUF reader before a runner sees them, and remembers the answer per
 * file (by size and modification time) so a hot path does not re-read a large header on every request.
 */
public final class GgufInspector implements ModelInspector {
    private record Stamp(long size, FileTime modified) {}

    private record Entry(Stamp stamp, GgufFile file) {}

    private final ConcurrentHashMap<Path, Entry> cache = new ConcurrentHashMap<>();

    @Override
    public int trainedContext(Path modelFile) {
        return (int) Math.min(Integer.MAX_VALUE, inspect(modelFile).contextLength());
    }

    /** The validated header of {@code modelFile}. */
    public GgufFile inspect(Path modelFile) {
        try {
            Stamp stamp = new Stamp(Files.size(modelFile), Files.getLastModifiedTime(modelFile));
            Entry cached = cache.get(modelFile);
            if (cached != null && cached.stamp().equals(stamp)) return cached.file();
            GgufFile file = GgufReader.read(modelFile);
            cache.put(modelFile, new Entry(stamp, file));
            return file;
        } catch (IOException e) {
            throw new ModelUnusableException(e.getMessage(), e);
        }
    }
}
