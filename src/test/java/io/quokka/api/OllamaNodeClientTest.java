package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official {@code ollama} npm client ({@code new Ollama({host})}, the version pinned in {@code src/test/js}) against
 * the running test server: {@code src/test/js/ollama-client.mjs} does the checks — list, show, ps, generate and chat
 * streamed and not, embed, {@code format} json and schema, tools, and {@code ResponseError}s.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OllamaNodeClientTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void theOllamaNpmClientPassesItsChecks() throws Exception {
        NodeClients.install();
        // Schema-exact decoding (io.quokka.grammar) makes schema output validate, not only parse.
        boolean schemaExact = Files.isDirectory(Path.of("src/main/java/io/quokka/grammar"));
        String host = base.toString().replaceAll("/$", "");
        NodeClients.Result r = NodeClients.run(List.of("node", "ollama-client.mjs"),
                Map.of("QUOKKA_OLLAMA_HOST", host, "QUOKKA_SCHEMA_EXACT", Boolean.toString(schemaExact)), 180);
        assertEquals(0, r.exit(), "the ollama npm client's checks failed:\n" + r.output());
        assertTrue(r.output().contains("ollama 0.6.4"), r.output());
    }
}
