package io.quokka.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.TestStore;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI classes in-process against the real server and engine on the test port. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class CliApiTest {

    @TestHTTPResource("/")
    URL base;

    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    private int cli(String stdin, String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        var console = new Cli.Console(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, 80);
        URI uri = URI.create(base.toString().replaceAll("/$", ""));
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return new Cli(new ApiClient(uri), console, InstantSource.system()).run(args[0], rest);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowCopyRemove() {
        assertEquals(0, cli("", "list"), () -> err.toString(StandardCharsets.UTF_8));
        assertTrue(out().startsWith("NAME "), out());
        assertTrue(out().lines().anyMatch(l -> l.matches("toy:latest +[0-9a-f]{12} +\\d+ KB +.* ago")), out());

        assertEquals(0, cli("", "show", "toy"));
        assertTrue(out().startsWith("  Model\n    architecture        llama\n"), out());
        assertTrue(out().contains("    context length      2048\n"), out());
        assertTrue(out().contains("    quantization        Q8_0\n"), out());
        assertTrue(out().contains("  Capabilities\n    completion\n"), out());
        assertTrue(out().contains("  Parameters\n"), out());
        assertEquals(0, cli("", "show", "toy", "--template"));
        assertTrue(out().contains("{{- range .Messages }}"), out());
        assertEquals(2, cli("", "show", "toy", "--template", "--system"));

        assertEquals(0, cli("", "cp", "toy", "cli-copy"));
        assertEquals("copied 'toy' to 'cli-copy'\n", out());

        assertEquals(0, cli("", "rm", "cli-copy"));
        assertEquals("deleted 'cli-copy'\n", out());
        assertEquals(1, cli("", "rm", "cli-copy"));
        assertEquals("Error: model 'cli-copy' not found\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(1, cli("", "stop", "cli-nope"));
        assertEquals("Error: couldn't find model \"cli-nope\" to stop\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void createFromAModelfileWithALocalGguf(@TempDir Path dir) throws Exception {
        ToyModel.write(ToyModelSpec.tiny().withSeed(303), dir.resolve("weights.gguf"));
        Files.writeString(dir.resolve("Modelfile"), """
                FROM ./weights.gguf
                SYSTEM You are a CLI quokka.
                PARAMETER num_predict 3
                """);
        assertEquals(0, cli("", "create", "cli-made", "-f", dir.resolve("Modelfile").toString()),
                err.toString(StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.startsWith("parsing GGUF\n"), log);
        assertTrue(log.endsWith("writing manifest\nsuccess\n"), log);
        assertEquals(0, cli("", "show", "cli-made", "--system"));
        assertEquals("You are a CLI quokka.", out());
        // Again: the blob is already there, so nothing is uploaded and the layers are reused.
        assertEquals(0, cli("", "create", "cli-made", "-f", dir.resolve("Modelfile").toString()));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("creating new layer"));

        // Its params layer says num_predict 3, so each answer is three tokens.
        assertEquals(0, cli("", "run", "cli-made", "--keepalive", "5m", "Hello", "there"));
        assertTrue(out().endsWith("\n\n") && out().length() > 2, out());

        assertEquals(0, cli("first\nsecond\n/bye\n", "run", "cli-made"));
        String chat = out();
        assertTrue(chat.startsWith(">>> "), chat);
        assertEquals(3, chat.split(">>> ", -1).length - 1, chat);
        assertTrue(chat.endsWith(">>> "), chat);

        assertEquals(0, cli("", "ps"));
        assertTrue(out().contains("cli-made:latest"), out());
        assertTrue(out().contains("100% CPU"), out());
        assertEquals(0, cli("", "stop", "cli-made"));
        assertEquals(0, cli("", "ps"));
        assertFalse(out().contains("cli-made"), out());

        assertEquals(0, cli("", "rm", "cli-made"));
    }
}
