package io.quokka.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code preload-models.txt} (read from the working directory by {@code ./quokka serve}, the test
 * suite and the images) preloads nothing: an offline machine with an empty store must start at once and answer with
 * the toy model. It documents the deployment default, the one fly.toml preloads.
 */
class PreloadFileDefaultTest {
    @Test
    void theRootFilePreloadsNothingAndDocumentsTheDeploymentDefault() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("preload-models.txt"));
        assertEquals(List.of(), Preloader.parse(lines), "an active entry would preload (and pull) on every start");
        String flyDefault = new TomlMapper().readTree(Path.of("fly.toml").toFile()).path("env")
                .path("OLLAMA_PRELOAD_MODELS").asText();
        assertTrue(lines.contains("# " + flyDefault), "the file documents the default fly.toml preloads: " + flyDefault);
    }
}
