package io.quokka.runner.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which llama.cpp a runner would use, from its environment (no library is loaded). */
class EngineDirTest {
    @TempDir
    Path tmp;

    static Path release(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String f : new String[] {"libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so"}) {
            Files.writeString(dir.resolve(f), "");
        }
        return dir;
    }

    @Test
    void anExplicitDirectoryWins() throws Exception {
        Path dir = release(tmp.resolve("build"));
        assertEquals(Optional.of(dir), EngineDir.resolve(Map.of("QUOKKA_LLAMA_DIR", dir.toString(), "HOME", tmp.toString())));
    }

    @Test
    void anExplicitDirectoryWithoutTheReleaseIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineDir.resolve(Map.of("QUOKKA_LLAMA_DIR", tmp.toString())));
        assertTrue(e.getMessage().contains("holds no llama.cpp v0.5.0"), e.getMessage());
    }

    @Test
    void b4916IsAskedForByName() throws Exception {
        Path dir = release(tmp.resolve("build"));
        assertEquals(Optional.empty(),
                EngineDir.resolve(Map.of("QUOKKA_ENGINE", "b4916", "QUOKKA_LLAMA_DIR", dir.toString())));
    }

    @Test
    void theCacheCountsOnlyOnceEngineShStampedIt() throws Exception {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.toString());
        Path cached = EngineDir.cacheDir(env);
        assertTrue(cached.startsWith(tmp.resolve("quokka").resolve("llama.cpp").resolve("v0.5.0")), cached.toString());
        release(cached);
        assertEquals(Optional.empty(), EngineDir.resolve(env), "half-unpacked (no stamp)");
        Files.writeString(cached.resolve(".quokka-complete"), "sha512-x\n");
        assertEquals(Optional.of(cached), EngineDir.resolve(env));
    }
}
