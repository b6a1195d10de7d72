package io.quokka.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.quokka.config.OllamaHost;
import io.quokka.scheduler.KeepAlive;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deployment files (fly.toml, Dockerfile.native, Dockerfile.jvm) agree with the application and with each other:
 * what can be checked without a container engine or a Fly account. Fast: reads files only.
 */
class DeploymentFilesTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final int PORT = 11434;
    static final String READINESS = "/q/health/ready";

    // ---- fly.toml ----

    @Test
    void flyTomlParsesAndCarriesTheScaleToZeroService() throws IOException {
        JsonNode fly = new TomlMapper().readTree(ROOT.resolve("fly.toml").toFile());
        assertEquals("Dockerfile.native", fly.path("build").path("dockerfile").asText());
        assertTrue(Files.isRegularFile(ROOT.resolve(fly.path("build").path("dockerfile").asText())));

        JsonNode env = fly.path("env");
        OllamaHost host = OllamaHost.parse(env.path("OLLAMA_HOST").asText());
        assertEquals("::", host.host(), "Fly's private network is IPv6: listen on [::]");
        JsonNode http = fly.path("http_service");
        assertEquals(host.port(), http.path("internal_port").asInt());
        assertEquals(PORT, http.path("internal_port").asInt());
        assertTrue(Set.of("suspend", "stop").contains(http.path("auto_stop_machines").asText()));
        assertTrue(http.path("auto_start_machines").asBoolean());
        assertEquals(0, http.path("min_machines_running").asInt());

        int parallel = env.path("OLLAMA_NUM_PARALLEL").asInt();
        int queue = env.path("OLLAMA_MAX_QUEUE").asInt();
        assertTrue(parallel >= 1 && queue >= 0, env.toString());
        JsonNode concurrency = http.path("concurrency");
        assertEquals("requests", concurrency.path("type").asText());
        assertEquals(parallel, concurrency.path("soft_limit").asInt(), "soft limit = OLLAMA_NUM_PARALLEL");
        assertEquals(parallel + queue, concurrency.path("hard_limit").asInt(), "hard limit = parallel + queue");

        JsonNode checks = http.path("checks");
        assertTrue(checks.isArray() && checks.size() >= 1, "[[http_service.checks]]");
        assertEquals(READINESS, checks.get(0).path("path").asText());
        assertEquals("GET", checks.get(0).path("method").asText());

        JsonNode mount = fly.path("mounts").get(0);
        assertTrue(Path.of(env.path("OLLAMA_MODELS").asText()).startsWith(mount.path("destination").asText()),
                "the model store lives on the volume");
        assertFalse(mount.path("source").asText().isBlank());

        JsonNode vm = fly.path("vm").get(0);
        assertEquals("2gb", vm.path("memory").asText());
        assertEquals("shared", vm.path("cpu_kind").asText());

        assertFalse(env.path("OLLAMA_PRELOAD_MODELS").asText().isBlank(), "preload");
        KeepAlive.fromEnvironment(env.path("OLLAMA_KEEP_ALIVE").asText());
        KeepAlive.fromEnvironment(env.path("QUOKKA_PRELOAD_KEEP_ALIVE").asText());
        Duration grace = Duration.parse("PT" + env.path("QUOKKA_SHUTDOWN_GRACE").asText().toUpperCase());
        assertTrue(fly.path("kill_timeout").asLong() > grace.toSeconds(), "kill_timeout beyond the shutdown grace");
    }

    // ---- Dockerfiles ----

    @Test
    void nativeDockerfile() throws IOException {
        Dockerfile docker = Dockerfile.read(ROOT.resolve("Dockerfile.native"));
        checkCommon(docker);
        assertTrue(docker.runs().stream().anyMatch(r -> r.contains("-Dnative") && r.contains("quarkus.native.sources-only=true")
                && r.contains("-Dnative.check.skip=true")));
        assertTrue(docker.runs().stream().anyMatch(r -> r.startsWith("native-image $(cat native-image.args)")));
        assertTrue(docker.runs().stream().anyMatch(r -> r.contains("native-check")),
                "the image build fails when the binary cannot load llama.cpp");
        assertTrue(docker.froms().stream().anyMatch(f -> f.contains("temurin-25")), docker.froms().toString());
        assertTrue(docker.froms().stream().anyMatch(f -> f.contains("mandrel") && f.contains("jdk-25")), "Mandrel for JDK 25");
    }

    @Test
    void jvmDockerfileTrainsTheAotCacheWithTheLauncherFlags() throws IOException {
        Dockerfile docker = Dockerfile.read(ROOT.resolve("Dockerfile.jvm"));
        checkCommon(docker);
        assertTrue(docker.runs().stream().anyMatch(r -> r.contains("aot-train.sh")), "AOT training run");
        assertTrue(docker.entrypoint().contains("-XX:AOTCache=/app/quarkus-app/app.aot"), docker.entrypoint());
        String launcher = Files.readString(ROOT.resolve("quokka"));
        Matcher m = Pattern.compile("SERVER_JVM_OPTS=\\$\\{QUOKKA_JVM_OPTS:-\"([^\"]+)\"}").matcher(launcher);
        assertTrue(m.find(), "the launcher's default server flags");
        assertEquals(m.group(1), docker.env().get("QUOKKA_JVM_OPTS"), "the image runs with ./quokka serve's flags");
    }

    private static void checkCommon(Dockerfile docker) throws IOException {
        // every file copied from the build context exists and is not excluded by .dockerignore
        List<PathMatcher> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> FileSystems.getDefault().getPathMatcher("glob:" + l)).toList();
        for (String source : docker.contextSources()) {
            Path p = ROOT.resolve(source);
            assertTrue(Files.exists(p), "COPY source missing: " + source);
            assertTrue(ignored.stream().noneMatch(g -> g.matches(Path.of(source))), ".dockerignore drops " + source);
        }
        // every --from names an earlier stage
        for (String from : docker.copyFroms()) assertTrue(docker.stageNames().contains(from), "unknown stage " + from);

        Map<String, String> env = docker.env();
        OllamaHost host = OllamaHost.parse(env.get("OLLAMA_HOST"));
        assertEquals("::", host.host());
        assertEquals(PORT, host.port());
        assertEquals(List.of(String.valueOf(PORT)), docker.all("EXPOSE"));
        assertTrue(Path.of(env.get("OLLAMA_MODELS")).startsWith(docker.all("VOLUME").getFirst()), "models on the volume");
        String health = String.join(" ", docker.all("HEALTHCHECK"));
        assertTrue(health.contains(READINESS) && health.contains("/" + PORT), health);
        String user = docker.all("USER").getLast();
        assertNotEquals("root", user);
        assertNotEquals("0", user);
        assertTrue(docker.all("CMD").getLast().contains("\"serve\""));
        assertEquals("/app", docker.all("WORKDIR").getLast(), "preload-models.txt is read from the working directory");
        assertTrue(docker.contextSources().contains("preload-models.txt"));
    }

    /** The parts of a Dockerfile these checks need: instructions with continuation lines joined. */
    record Dockerfile(List<String[]> instructions) {
        static Dockerfile read(Path file) throws IOException {
            List<String[]> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (current.isEmpty() && (l.isEmpty() || l.startsWith("#"))) continue;
                if (l.endsWith("\\")) {
                    current.append(l, 0, l.length() - 1).append(' ');
                    continue;
                }
                current.append(l);
                String[] parts = current.toString().strip().split("\\s+", 2);
                out.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
                current.setLength(0);
            }
            return new Dockerfile(out);
        }

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
        }

        List<String> froms() {
            return all("FROM");
        }

        Set<String> stageNames() {
            return froms().stream().map(f -> f.split("\\s+")).filter(p -> p.length == 3 && p[1].equalsIgnoreCase("AS"))
                    .map(p -> p[2]).collect(Collectors.toSet());
        }

        List<String> runs() {
            return all("RUN");
        }

        String entrypoint() {
            return all("ENTRYPOINT").getLast();
        }

        List<String> copyFroms() {
            return all("COPY").stream().flatMap(c -> Stream.of(c.split("\\s+")))
                    .filter(w -> w.startsWith("--from=")).map(w -> w.substring(7)).toList();
        }

        /** Sources of COPY instructions that read the build context (no --from). */
        List<String> contextSources() {
            List<String> sources = new ArrayList<>();
            for (String copy : all("COPY")) {
                if (copy.contains("--from=")) continue;
                List<String> words = Stream.of(copy.split("\\s+")).filter(w -> !w.startsWith("--")).toList();
                sources.addAll(words.subList(0, words.size() - 1));
            }
            return sources;
        }

        /** ENV key=value pairs (values may be quoted). */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            Pattern m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)");
            for (String e : all("ENV")) {
                Matcher x = m.matcher(e);
                while (x.find()) env.put(x.group(1), x.group(2).replaceAll("^\"|\"$", ""));
            }
            return env;
        }
    }
}
