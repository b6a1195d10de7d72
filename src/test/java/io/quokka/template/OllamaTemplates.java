package io.quokka.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Ollama's library templates ({@code *.gotmpl}) and its expected renderings ({@code testdata/<template>/<case>}): a
 * corpus kept as data outside the repository, in {@code ../shared/ollama-templates/} next to the repository root, never
 * copied into it. {@code -Dollama.templates.dir=<dir>} (not under {@code quokka.}: Quarkus rejects unknown properties
 * there) or {@code QUOKKA_OLLAMA_TEMPLATES=<dir>} points elsewhere.
 *
 * <p>Without the folder a test that needs it is skipped with a message naming the folder; under {@code CI=true} it
 * fails instead (CI always has the folder, so its absence there is an error, not a reason to skip).
 */
public final class OllamaTemplates {
    public static final String PROPERTY = "ollama.templates.dir";
    public static final String ENV = "QUOKKA_OLLAMA_TEMPLATES";

    private OllamaTemplates() {}

    /** Where the corpus is expected: the override, else {@code ../shared/ollama-templates} from the repository root. */
    static Path location() {
        String override = System.getProperty(PROPERTY);
        if (override == null || override.isBlank()) override = System.getenv(ENV);
        if (override != null && !override.isBlank()) return Path.of(override).toAbsolutePath().normalize();
        Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath()
                .normalize();
        Path firstRoot = null;
        for (Path d = start; d != null; d = d.getParent()) {
            if (!Files.isRegularFile(d.resolve("pom.xml"))) continue;
            if (firstRoot == null) firstRoot = d;
            Path shared = d.resolveSibling("shared");
            if (d.getParent() != null && Files.isDirectory(shared)) return shared.resolve("ollama-templates");
        }
        Path root = firstRoot != null ? firstRoot : start;
        return root.resolveSibling("shared").resolve("ollama-templates").toAbsolutePath().normalize();
    }

    /**
     * Whether the corpus is there. A test that checks this instead of calling {@link #require} must still call
     * {@code require()} in some test when it is not, so that its absence is reported (JUnit reports an abort in a
     * {@code @BeforeAll} or a test factory as nothing at all).
     */
    public static boolean available() {
        return Files.isDirectory(location());
    }

    /**
     * The corpus folder. When it is absent the calling test is aborted (reported as skipped) with a message naming the
     * folder, or fails if the environment variable {@code CI} is {@code true}.
     */
    public static Path require() {
        Path dir = location();
        if (Files.isDirectory(dir)) return dir;
        String message = "Ollama's template corpus is not at " + dir + " (expected ../shared/ollama-templates/ next to"
                + " the repository root; -D" + PROPERTY + "=<dir> or " + ENV + "=<dir> points elsewhere)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + ": under CI=true that is a failure");
        }
        Assumptions.abort(message + ": skipped");
        throw new AssertionError("unreachable");
    }

    /** A file of the corpus by its relative path ({@code llama3-instruct.gotmpl}, {@code testdata/…}), CRLF as LF. */
    public static String read(String relative) {
        Path file = require().resolve(relative);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
