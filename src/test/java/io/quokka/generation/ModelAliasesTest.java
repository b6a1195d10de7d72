package io.quokka.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.store.ModelName;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelAliasesTest {

    private static String target(ModelAliases a, String alias) {
        return a.find(ModelName.parse(alias)).map(x -> x.target().displayShortest()).orElse(null);
    }

    @Test
    void fileLinesWithCommentsAndBlanks() {
        ModelAliases a = ModelAliases.parse("""
                # clients and the models they get
                gpt-4o-mini = qwen2.5:0.5b   # the small one

                  text-embedding-3-small=nomic-embed-text
                """, "aliases.txt", null);
        assertEquals(List.of(), a.problems());
        assertEquals("qwen2.5:0.5b", target(a, "gpt-4o-mini"));
        assertEquals("qwen2.5:0.5b", target(a, "GPT-4o-Mini:latest"), "matched as a model name: case, :latest");
        assertEquals("nomic-embed-text:latest", target(a, "text-embedding-3-small"));
        assertEquals(List.of("gpt-4o-mini", "text-embedding-3-small"),
                a.all().stream().map(ModelAliases.Alias::written).toList());
    }

    @Test
    void theEnvironmentWinsPerAlias() {
        ModelAliases a = ModelAliases.parse("a = x\nb = y\n", "f", " b=z , c=w,");
        assertEquals(List.of(), a.problems());
        assertEquals("x:latest", target(a, "a"));
        assertEquals("z:latest", target(a, "b"));
        assertEquals("w:latest", target(a, "c"));
    }

    @Test
    void anAliasOfAnAliasIsDroppedSoNoChainOrLoopForms() {
        ModelAliases a = ModelAliases.parse("chain = gpt\ngpt = toy\nself = self\nping = pong\npong = ping\n", "f", null);
        assertEquals("toy:latest", target(a, "gpt"));
        for (String dropped : List.of("chain", "self", "ping", "pong")) {
            assertEquals(null, target(a, dropped), dropped);
        }
        assertEquals(4, a.problems().size(), a.problems().toString());
        assertTrue(a.problems().getFirst().contains("'chain' points at 'gpt', which is itself an alias"),
                a.problems().getFirst());
    }

    @Test
    void anAliasAtAModelsNameIsShadowedSoAliasesPointingThereAreKept() {
        String file = "gpt = toy\ntoy = other\n";
        assertEquals(null, target(ModelAliases.parse(file, "f", null), "gpt"), "toy is only an alias: a chain");
        ModelAliases a = ModelAliases.parse(file, "f", null, n -> n.equals(ModelName.parse("toy")));
        assertEquals(List.of(), a.problems());
        assertEquals("toy:latest", target(a, "gpt"), "toy is a model: gpt points at it");
    }

    @Test
    void malformedEntriesAreReportedAndSkipped() {
        ModelAliases a = ModelAliases.parse("no equals sign\nbad name! = toy\nok = toy\nok = other\n", "aliases.txt",
                "broken,=toy");
        assertEquals("other:latest", target(a, "ok"), "the later line wins");
        List<String> p = a.problems();
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("aliases.txt line 1: expected 'alias = model'"), p.get(0));
        assertTrue(p.get(1).startsWith("aliases.txt line 2: "), p.get(1));
        assertTrue(p.get(2).contains("redefined"), p.get(2));
        assertTrue(p.get(3).startsWith("QUOKKA_ALIASES entry 'broken'"), p.get(3));
        assertEquals(1, a.all().size());
    }

    @Test
    void noSourcesNoAliases() {
        assertEquals(List.of(), ModelAliases.parse(null, "f", null).all());
        assertEquals(List.of(), ModelAliases.none().all());
    }
}
