package io.quokka.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ~100 MB toy model writes in seconds and its header reads in milliseconds. */
class ToyModelPerfTest {

    @TempDir
    Path dir;

    @Test
    void hundredMegabyteModelWritesFastAndReadsFaster() throws Exception {
        Path file = dir.resolve("100m.gguf");
        long t0 = System.nanoTime();
        ToyModel.write(ToyModelSpec.about100MB(), file);
        long writeMs = (System.nanoTime() - t0) / 1_000_000;

        long t1 = System.nanoTime();
        GgufFile f = GgufReader.read(file);
        double readMs = (System.nanoTime() - t1) / 1e6;

        long size = Files.size(file);
        System.out.printf("100m toy model: %d bytes, %s params, written in %d ms (%.0f MB/s), header read in %.1f ms%n",
                size, f.parameterSize(), writeMs, size / 1e3 / Math.max(1, writeMs), readMs);
        assertEquals(size, f.fileSize());
        assertTrue(size > 95_000_000 && size < 115_000_000, "size " + size);
        // generous bounds: the build machine is shared by several engineers
        assertTrue(writeMs < 30_000, "write took " + writeMs + " ms");
        assertTrue(readMs < 2_000, "read took " + readMs + " ms");
    }
}
