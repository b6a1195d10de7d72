package io.quokka.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a stub server speaking Ollama's wire format: rendering, streaming, errors. */
class CliTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Cli cli(URI server, String stdin, boolean terminal) {
        var console = new Cli.Console(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                terminal, 80);
        return new Cli(new ApiClient(server), console, InstantSource.fixed(NOW));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pullRendersABarPerLayerAndEachStatus() throws Exception {
        try (var server = new StubServer()) {
            String a = "sha256:" + "a".repeat(64);
            String b = "sha256:" + "b".repeat(64);
            server.ndjson("/api/pull",
                    "{\"status\":\"pulling manifest\"}",
                    "{\"status\":\"pulling aaaaaaaaaaaa\",\"digest\":\"" + a + "\",\"total\":2000000}",
                    "{\"status\":\"pulling aaaaaaaaaaaa\",\"digest\":\"" + a + "\",\"total\":2000000,\"completed\":1000000}",
                    "{\"status\":\"pulling aaaaaaaaaaaa\",\"digest\":\"" + a + "\",\"total\":2000000,\"completed\":2000000}",
                    "{\"status\":\"pulling bbbbbbbbbbbb\",\"digest\":\"" + b + "\",\"total\":512,\"completed\":512}",
                    "{\"status\":\"verifying sha256 digest\"}",
                    "{\"status\":\"writing manifest\"}",
                    "{\"status\":\"success\"}");
            assertEquals(0, cli(server.uri(), "", false).run("pull", "some/model:tag"));
            assertTrue(server.requests.getFirst().contains("\"model\":\"some/model:tag\""), server.requests.toString());
            List<String> lines = err().lines().toList();
            assertEquals("pulling manifest", lines.get(0));
            assertTrue(lines.get(1).startsWith("pulling aaaaaaaaaaaa: 100% ▕████"), lines.get(1));
            assertTrue(lines.get(1).endsWith("▏   2 MB" + " ".repeat(25)), "[" + lines.get(1) + "]");
            assertEquals(79, lines.get(1).length(), "one column short of the width, as Ollama");
            assertTrue(lines.get(2).startsWith("pulling bbbbbbbbbbbb: 100%"), lines.get(2));
            assertEquals(List.of("verifying sha256 digest", "writing manifest", "success"), lines.subList(3, 6));
        }
    }

    @Test
    void pullOnATerminalRedrawsInPlace() throws Exception {
        try (var server = new StubServer()) {
            String a = "sha256:" + "c".repeat(64);
            server.ndjson("/api/pull", "{\"status\":\"pulling manifest\"}",
                    "{\"status\":\"pulling cccc\",\"digest\":\"" + a + "\",\"total\":100,\"completed\":100}",
                    "{\"status\":\"success\"}");
            assertEquals(0, cli(server.uri(), "", true).run("pull", "m"));
            String e = err();
            assertTrue(e.contains("\033[1G"), e);
            assertTrue(e.contains("pulling cccccccccccc: 100%"), e);
            assertTrue(e.endsWith("success \033[K\033[?25h\n"), e);
        }
    }

    @Test
    void pullErrorsEndWithTheServersMessage() throws Exception {
        try (var server = new StubServer()) {
            server.ndjson("/api/pull", "{\"status\":\"pulling manifest\"}", "{\"error\":\"pull model manifest: file does not exist\"}");
            assertEquals(1, cli(server.uri(), "", false).run("pull", "nope"));
            assertTrue(err().endsWith("Error: pull model manifest: file does not exist\n"), err());
        }
    }

    @Test
    void barShowsBytesRateAndEta() {
        var clock = new MutableClock(NOW);
        var bar = new ProgressBar("pulling 0123456789ab:", 10_000_000, 0, clock);
        clock.advance(Duration.ofSeconds(2));
        bar.set(2_000_000);
        clock.advance(Duration.ofSeconds(2));
        bar.set(4_000_000);
        String line = bar.render(100);
        assertTrue(line.startsWith("pulling 0123456789ab:  40% ▕"), line);
        assertTrue(line.endsWith("▏   4 MB/ 10 MB    1 MB/s      6s"), line);
        assertEquals(99, line.length());
        assertEquals("1h5m", ProgressBar.duration(Duration.ofMinutes(65)));
        assertEquals("2m30s", ProgressBar.duration(Duration.ofSeconds(150)));
    }

    @Test
    void runOneShotStreamsTheAnswer() throws Exception {
        try (var server = new StubServer()) {
            server.json("/api/show", 200, "{\"details\":{}}");
            server.ndjson("/api/generate", "{\"response\":\"Hel\",\"done\":false}", "{\"response\":\"lo\",\"done\":false}",
                    "{\"response\":\"\",\"done\":true}");
            assertEquals(0, cli(server.uri(), "", false).run("run", "toy", "Why", "is", "the", "sky", "blue?"));
            assertEquals("Hello\n\n", out());
            assertTrue(server.requests.get(1).contains("\"prompt\":\"Why is the sky blue?\""), server.requests.toString());
        }
    }

    @Test
    void interactiveRunKeepsTheHistoryUntilBye() throws Exception {
        try (var server = new StubServer()) {
            server.json("/api/show", 200, "{}");
            server.ndjson("/api/chat", "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}",
                    "{\"message\":{\"role\":\"assistant\",\"content\":\" there\"},\"done\":true}");
            assertEquals(0, cli(server.uri(), "hello\n\n/clear\nagain\nmore\n/bye\nnever sent\n", false)
                    .run("run", "toy"));
            assertEquals(">>> Hi there\n\n>>> >>> Cleared session context\n>>> Hi there\n\n>>> Hi there\n\n>>> ", out());
            List<String> chats = server.requests.stream().filter(r -> r.startsWith("POST /api/chat")).toList();
            assertEquals(3, chats.size());
            assertTrue(chats.get(0).contains("[{\"role\":\"user\",\"content\":\"hello\"}]"), chats.get(0));
            assertTrue(chats.get(1).contains("[{\"role\":\"user\",\"content\":\"again\"}]"), "cleared: " + chats.get(1));
            assertTrue(chats.get(2).contains("[{\"role\":\"user\",\"content\":\"again\"},{\"role\":\"assistant\","
                    + "\"content\":\"Hi there\"},{\"role\":\"user\",\"content\":\"more\"}]"), chats.get(2));
        }
    }

    @Test
    void listAndPsPrintOllamasColumns() throws Exception {
        try (var server = new StubServer()) {
            server.json("/api/tags", 200, """
                    {"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2026-11-09T12:00:00Z",
                    "size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"},
                    {"name":"toy:latest","model":"toy:latest","modified_at":"2026-11-23T11:58:00Z","size":633000,
                    "digest":"0123456789abcdef"}]}""");
            server.json("/api/ps", 200, """
                    {"models":[{"name":"toy:latest","size":90000000,"digest":"0123456789abcdef","size_vram":0,
                    "expires_at":"2026-11-23T12:04:00Z","context_length":4096}]}""");
            assertEquals(0, cli(server.uri(), "", false).run("list"));
            assertEquals("""
                    NAME               ID              SIZE      MODIFIED
                    llama3.2:latest    a80c4f17acd5    2.0 GB    2 weeks ago
                    toy:latest         0123456789ab    633 KB    2 minutes ago
                    """, out());
            out.reset();
            assertEquals(0, cli(server.uri(), "", false).run("ps"));
            assertEquals("""
                    NAME          ID              SIZE     PROCESSOR    CONTEXT    UNTIL
                    toy:latest    0123456789ab    90 MB    100% CPU     4096       4 minutes from now
                    """, out());
        }
    }

    @Test
    void errorsAndUnreachableServers() throws Exception {
        try (var server = new StubServer()) {
            server.json("/api/show", 404, "{\"error\":\"model 'nope' not found\"}");
            assertEquals(1, cli(server.uri(), "", false).run("show", "nope"));
            assertEquals("Error: model 'nope' not found\n", err());
        }
        err.reset();
        assertEquals(1, cli(URI.create("http://127.0.0.1:1"), "", false).run("list"));
        assertTrue(err().startsWith("Error: could not connect to a server at http://127.0.0.1:1"), err());
        err.reset();
        assertEquals(2, cli(URI.create("http://127.0.0.1:1"), "", false).run("cp", "only-one"));
    }

    @Test
    void ollamaHostNamesTheServer() {
        assertEquals(URI.create("http://127.0.0.1:11434"), ApiClient.baseUri(null));
        assertEquals(URI.create("http://127.0.0.1:11434"), ApiClient.baseUri(""));
        assertEquals(URI.create("http://127.0.0.1:8080"), ApiClient.baseUri(":8080"));
        assertEquals(URI.create("http://example.com:11434"), ApiClient.baseUri("example.com"));
        assertEquals(URI.create("https://example.com:443"), ApiClient.baseUri("https://example.com"));
        assertEquals(URI.create("http://[::1]:9000"), ApiClient.baseUri("[::1]:9000"));
    }

    @Test
    void modelfileBecomesACreateRequest(@TempDir Path dir) throws Exception {
        Path modelfile = dir.resolve("Modelfile");
        Files.writeString(modelfile, """
                # a comment
                FROM toy
                PARAMETER temperature 0.5
                PARAMETER num_ctx 1024
                PARAMETER stop "<|im_end|>"
                PARAMETER stop <|im_start|>
                SYSTEM \"\"\"You are
                a quokka.\"\"\"
                TEMPLATE "{{ .Prompt }}"
                LICENSE MIT
                MESSAGE user Hi
                MESSAGE assistant Hello!
                """);
        var req = ModelfileParser.request(modelfile, new ApiClient(URI.create("http://127.0.0.1:1")));
        assertEquals("""
                {"from":"toy","parameters":{"temperature":0.5,"num_ctx":1024,"stop":["<|im_end|>","<|im_start|>"]},\
                "system":"You are\\na quokka.","template":"{{ .Prompt }}","license":["MIT"],\
                "messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}""",
                sorted(req.toString()));
    }

    /**
     * {@code show --modelfile} output, Ollama's or ours, reads back: a value with a newline or a space at either end is
     * in quotes ({@code """} when it holds a quote) that span lines, and nothing in it is escaped.
     */
    @Test
    void aModelfileAsOllamasShowWritesItReadsBack(@TempDir Path dir) throws Exception {
        Path modelfile = dir.resolve("Modelfile");
        Files.writeString(modelfile, """
                # Modelfile generated by "ollama show"
                # FROM toy

                FROM toy
                TEMPLATE "{{ range .Messages }}<|im_start|>{{ .Role }}
                {{ .Content }}<|im_end|>
                {{ end }}"
                SYSTEM \"""Say "hi".
                Then stop.\"""
                PARAMETER stop "
                "
                PARAMETER stop " User:"
                PARAMETER stop <|im_end|>
                LICENSE "MIT
                  indented"
                MESSAGE user "Two
                lines"
                MESSAGE assistant Fine.
                """);
        var req = ModelfileParser.request(modelfile, new ApiClient(URI.create("http://127.0.0.1:1")));
        assertEquals("""
                {"from":"toy","parameters":{"stop":["\\n"," User:","<|im_end|>"]},"system":"Say \\"hi\\".\\nThen stop.",\
                "template":"{{ range .Messages }}<|im_start|>{{ .Role }}\\n{{ .Content }}<|im_end|>\\n{{ end }}",\
                "license":["MIT\\n  indented"],\
                "messages":[{"role":"user","content":"Two\\nlines"},{"role":"assistant","content":"Fine."}]}""",
                sorted(req.toString()));
    }

    /** Field order as the parser adds them is not the point; compare with a fixed order. */
    private static String sorted(String json) throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) ApiClient.JSON.readTree(json);
        var out = ApiClient.JSON.createObjectNode();
        for (String k : List.of("from", "parameters", "system", "template", "license", "messages")) {
            if (node.has(k)) out.set(k, node.get(k));
        }
        return out.toString();
    }

    static final class MutableClock implements InstantSource {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
