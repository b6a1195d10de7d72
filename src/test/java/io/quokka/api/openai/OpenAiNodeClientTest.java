package io.quokka.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.NodeClients;
import io.quokka.api.TestStore;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code openai} npm client (the exact version pinned in {@code src/test/js/package.json}) against the running
 * test server: {@code src/test/js/openai-client.mjs} does the checks; {@link NodeClients} installs the client and
 * fails the test without node and npm.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OpenAiNodeClientTest {
    @TestHTTPResource("/")
    URI base;

    @Test
    void theOpenAiNpmClientPassesItsChecks() throws Exception {
        NodeClients.install();
        NodeClients.Result r = NodeClients.run(List.of("node", "openai-client.mjs"), Map.of("QUOKKA_OPENAI_BASE_URL", base.resolve("v1").toString()),
                120);
        assertEquals(0, r.exit(), "the openai npm client's checks failed:\n" + r.output());
        assertTrue(r.output().contains("openai 7.57.0"), r.output());
    }
}
