package io.quokka.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cases of Ollama's {@code types/model/name_test.go}, adapted to a parser that fills in defaults. */
class ModelNameTest {

    static final String PART80 = "8".repeat(80);
    static final String PART350 = "3".repeat(350);

    private static void assertName(String in, String host, String ns, String model, String tag) {
        ModelName n = ModelName.parse(in);
        assertEquals(host, n.host(), in);
        assertEquals(ns, n.namespace(), in);
        assertEquals(model, n.model(), in);
        assertEquals(tag, n.tag(), in);
    }

    @Test
    void parsesParts() {
        assertName("registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K",
                "registry.ollama.ai", "library", "dolphin-mistral", "7b-v2.6-dpo-laser-q6_K");
        assertName("scheme://host:port/namespace/model:tag", "host:port", "namespace", "model", "tag");
        assertName("host/namespace/model:tag", "host", "namespace", "model", "tag");
        assertName("host:port/namespace/model:tag", "host:port", "namespace", "model", "tag");
        assertName("host/namespace/model", "host", "namespace", "model", "latest");
        assertName("host:port/namespace/model", "host:port", "namespace", "model", "latest");
        assertName("namespace/model", "registry.ollama.ai", "namespace", "model", "latest");
        assertName("model", "registry.ollama.ai", "library", "model", "latest");
        assertName("h/nn/mm:t", "h", "nn", "mm", "t");
        assertName(PART80 + "/" + PART80 + "/" + PART80 + ":" + PART80, PART80, PART80, PART80, PART80);
        assertName(PART350 + "/" + PART80 + "/" + PART80 + ":" + PART80, PART350, PART80, PART80, PART80);
        assertName("llama3.2", "registry.ollama.ai", "library", "llama3.2", "latest");
        assertName("ns/model:tag", "registry.ollama.ai", "ns", "model", "tag");
        assertName("_why/_the/_lucky:_stiff", "_why", "_the", "_lucky", "_stiff");
        assertName("host:https/namespace/model:tag", "host:https", "namespace", "model", "tag");
        assertName("localhost:5000", "registry.ollama.ai", "library", "localhost", "5000");
        // As in Ollama, a bare digest reads as model "sha256" with the hex as tag (tags allow 80 characters).
        assertName("sha256:" + "0".repeat(64), "registry.ollama.ai", "library", "sha256", "0".repeat(64));
    }

    @Test
    void defaultsAsOllama() {
        assertEquals("registry.ollama.ai/library/xx:latest", ModelName.parse("xx").displayLong());
        assertEquals("registry.ollama.ai/library/xx:latest", ModelName.parse("xx").toString());
        assertEquals(ModelName.parse("llama3.2"), ModelName.parse("registry.ollama.ai/library/llama3.2:latest"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "^", "mm:", "/nn/mm", "//", "//mm", "hh//", "//mm:@", "00@", "@", "@t", "m@d", "n/m:",
        "-hh/nn/mm:tt", "hh/-nn/mm:tt", "hh/nn/-mm:tt", "hh/nn/mm:-tt", ".hidden", "model:.tag",
        "host/name:space/model:tag", "a/b/c/d", "a/b/c/d:e", "ns.dot/model", "..", "../x", "x/../y", "/abs/path/x",
        "/", "model/", "ns//model", "mo del", "mödel", "model:ta/g", "m\\x", "m\u0000", "C:\\models\\x",
        "llama3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "model: tag", " model",
    })
    void rejectsInvalid(String s) {
        var e = assertThrows(InvalidModelNameException.class, () -> ModelName.parse(s));
        assertEquals("invalid model name", e.getMessage());
        assertEquals(s, e.input());
        assertFalse(ModelName.isValid(s));
    }

    @Test
    void rejectsNull() {
        assertThrows(InvalidModelNameException.class, () -> ModelName.parse(null));
    }

    @Test
    void lengthLimits() {
        assertTrue(ModelName.isValid("m".repeat(80)));
        assertFalse(ModelName.isValid("m".repeat(81)));
        assertTrue(ModelName.isValid("m:" + "t".repeat(80)));
        assertFalse(ModelName.isValid("m:" + "t".repeat(81)));
        assertTrue(ModelName.isValid("n".repeat(80) + "/m"));
        assertFalse(ModelName.isValid("n".repeat(81) + "/m"));
        assertTrue(ModelName.isValid("h".repeat(350) + "/n/m"));
        assertFalse(ModelName.isValid("h".repeat(351) + "/n/m"));
    }

    @Test
    void partRules() {
        // from TestNameIsValidPart
        assertEquals("a.", new ModelName("a.", "n", "m", "t").host());
        assertTrue(ModelName.isValid("a:123/n/m"));
        assertTrue(ModelName.isValid("a.b/n/m"));
        assertFalse(ModelName.isValid("h/a./m"));
        assertTrue(ModelName.isValid("h/n/m.v2:t.q4"));
        assertThrows(InvalidModelNameException.class, () -> new ModelName("h", "n", "-h", "t"));
        assertThrows(InvalidModelNameException.class, () -> new ModelName("h", "n", "m", null));
        assertThrows(InvalidModelNameException.class, () -> new ModelName("h", "a:b", "m", "t"));
        assertThrows(InvalidModelNameException.class, () -> new ModelName("h", "n", "a/b", "t"));
        assertThrows(InvalidModelNameException.class, () -> new ModelName("h", "n", "m", ".."));
    }

    @Test
    void displayShortest() {
        Map<String, String> cases = Map.of(
                "registry.ollama.ai/library/model:latest", "model:latest",
                "registry.ollama.ai/library/model:tag", "model:tag",
                "registry.ollama.ai/namespace/model:tag", "namespace/model:tag",
                "host/namespace/model:tag", "host/namespace/model:tag",
                "host/library/model:tag", "host/library/model:tag",
                "llama3.2", "llama3.2:latest",
                "Registry.Ollama.AI/Library/Model", "Model:latest");
        cases.forEach((in, want) -> assertEquals(want, ModelName.parse(in).displayShortest(), in));
    }

    @Test
    void equalityIgnoresCase() {
        ModelName a = ModelName.parse("Llama3:Latest");
        ModelName b = ModelName.parse("llama3");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("Llama3", a.model(), "the spelling is kept");
        assertNotEquals(ModelName.parse("llama3:8b"), b);
        assertNotEquals(ModelName.parse("other/llama3"), b);
    }

    @Test
    void withTag() {
        assertEquals(ModelName.parse("ns/m:v2"), ModelName.parse("ns/m").withTag("v2"));
        assertThrows(InvalidModelNameException.class, () -> ModelName.parse("m").withTag("bad/tag"));
    }

    @Test
    void manifestPath() {
        Path root = Path.of("/models");
        assertEquals(Path.of("/models/manifests/registry.ollama.ai/library/llama3.2/latest"),
                ModelName.parse("llama3.2").manifestPath(root));
        assertEquals(Path.of("/models/manifests/host:5000/ns/Model/Tag"),
                ModelName.parse("host:5000/ns/Model:Tag").manifestPath(root));
    }

    @Test
    void roundTripsThroughDisplayLong() {
        for (String s : new String[] {"h/n/m:t", "_why/_the/_lucky:_stiff", "host:https/namespace/model:tag"}) {
            assertEquals(s, ModelName.parse(s).displayLong());
            assertEquals(ModelName.parse(s), ModelName.parse(ModelName.parse(s).displayShortest()));
        }
    }

    /** Ollama fuzzes its parser; a seeded random walk over name-like strings checks the same properties. */
    @Test
    void fuzz() {
        Random random = new Random(20240611L);
        String alphabet = "aZ09_-.:/@\\ ~%\u00e9\u0000";
        Path root = Path.of("/store/root").toAbsolutePath();
        Path manifests = root.resolve("manifests");
        int valid = 0;
        for (int i = 0; i < 60_000; i++) {
            int len = random.nextInt(i % 100 == 0 ? 400 : 24);
            StringBuilder sb = new StringBuilder(len);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            ModelName n;
            try {
                n = ModelName.parse(s);
            } catch (InvalidModelNameException e) {
                continue;
            }
            valid++;
            for (String part : new String[] {n.host(), n.namespace(), n.model(), n.tag()}) {
                assertNotEquals("..", part, s);
                assertNotEquals(".", part, s);
                assertFalse(part.contains("/") || part.contains("\\"), s);
                assertTrue(part.length() <= 350, s);
            }
            Path p = n.manifestPath(root);
            assertEquals(p, p.normalize(), s);
            assertTrue(p.startsWith(manifests), s);
            assertEquals(manifests, p.getParent().getParent().getParent().getParent(), s);
            assertEquals(n, ModelName.parse(n.displayLong()), s);
            assertEquals(n, ModelName.parse(n.displayShortest()), s);
        }
        assertTrue(valid > 300, "the fuzzer should reach valid names too, got " + valid);
    }
}
