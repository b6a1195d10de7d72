package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server started with an environment written for Ollama the way people write them (quoted values from an
 * env file, a count set to a word) starts and uses it as Ollama would: quotes are stripped, an invalid count is
 * ignored with a warning, where a strict configuration would refuse to start.
 */
@Timeout(120)
class OllamaEnvironmentIT {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();
    @RegisterExtension
    final PackagedServers servers = new PackagedServers();
    PackagedServer packaged;

    @TempDir
    Path dir;

    @Test
    void quotedValuesAndAnInvalidCountStartTheServerAsOllamaWould() throws Exception {
        Path store = dir.resolve("my models");
        ToyInstaller.install(store, ModelName.parse("toy"), ToyModelSpec.tiny().withName("toy"));
        packaged = servers.start(dir.resolve("server.log"), Map.of(
                "OLLAMA_MODELS", " \"" + store + "\" ",
                "OLLAMA_KEEP_ALIVE", "'10m'",
                "OLLAMA_NUM_PARALLEL", "auto",
                "OLLAMA_MAX_QUEUE", "-1",
                "QUOKKA_WORK_DIR", dir.resolve("work").toString()));

        JsonNode tags = get("api/tags");
        assertEquals("toy:latest", tags.path("models").path(0).path("name").asText(), "the quoted store: " + tags);

        HttpResponse<String> generated = http.send(HttpRequest.newBuilder(packaged.base().resolve("api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"toy","prompt":"Hello","stream":false,"options":{"num_predict":2}}""")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, generated.statusCode(), generated.body());

        JsonNode ps = get("api/ps").path("models").path(0);
        Duration left = Duration.between(OffsetDateTime.now(), OffsetDateTime.parse(ps.path("expires_at").asText()));
        assertTrue(left.compareTo(Duration.ofMinutes(9)) > 0 && left.compareTo(Duration.ofMinutes(11)) < 0,
                "OLLAMA_KEEP_ALIVE='10m' is 10 minutes: " + ps);

        String log = packaged.output();
        assertTrue(log.contains("invalid environment variable, using default: OLLAMA_NUM_PARALLEL=auto"), log);
        assertTrue(log.contains("invalid environment variable, using default: OLLAMA_MAX_QUEUE=-1"), log);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(packaged.base().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }
}
