package io.quokka.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness keeps working: {@code ./quokka bench --smoke} against the packaged server (built by
 * {@code package} before failsafe runs this in {@code verify}) writes a markdown table, well-formed JSON with every
 * section and a PNG chart. A behaviour test: no figure is judged, except that no request is lost at twice the queue.
 */
@Timeout(300)
class BenchSmokeIT {
    @TempDir
    Path dir;

    @Test
    void smokeRunWritesTableJsonAndChart() throws Exception {
        Path out = dir.resolve("bench");
        Bench.Config config = Bench.Config.parse("--smoke", "--threads", "1", "--out", out.toString());
        Path md = new Bench(config).run();

        String table = Files.readString(md);
        assertTrue(table.contains("| tiny |"), table);
        assertTrue(table.contains("served/bare"), table);
        assertTrue(table.contains("Time to first token"), table);
        assertTrue(table.contains("Twice the queue"), table);

        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode shape = json.path("shapes").path(0);
        assertEquals("tiny", shape.path("shape").asText());
        assertTrue(shape.path("served").path("generation_tps_median").asDouble() > 0, shape.toString());
        assertTrue(shape.path("bare").path("generation_tps_median").asDouble() > 0, shape.toString());
        assertTrue(shape.path("wrapper").path("generation_tps_median").asDouble() > 0, shape.toString());
        assertTrue(shape.path("ratio_served_bare_generation").asDouble() > 0, shape.toString());
        assertTrue(shape.path("ratio_served_wrapper_generation").asDouble() > 0, shape.toString());
        assertTrue(table.contains("served/wrapper"), table);
        assertTrue(shape.path("ttft").path("long_served_4_clients_max_ms").asDouble() > 0, shape.toString());
        assertTrue(shape.path("rss_runner_loaded_mib").asDouble() > 0, shape.toString());
        assertTrue(shape.path("estimate_mib").asDouble() > 0, shape.toString());
        assertEquals(0.0, shape.path("rss_runners_after_unload_mib").asDouble(), "runner gone after unload");
        assertTrue(json.path("cold_start").path("start_to_first_token_ms").asDouble() > 0, json.toString());
        assertTrue(json.path("rss_idle_no_model_mib").asDouble() > 0, json.toString());
        JsonNode queue = json.path("queue");
        assertEquals(queue.path("sent").asInt(), queue.path("answered").asInt() + queue.path("rejected_503").asInt(),
                queue.toString());
        assertEquals(0, queue.path("lost").asInt(), queue.toString());
        assertTrue(json.path("timeline").size() > 0);

        BufferedImage png = ImageIO.read(out.resolve("results.png").toFile());
        assertEquals(1200, png.getWidth());
        assertEquals(760, png.getHeight());
    }
}
