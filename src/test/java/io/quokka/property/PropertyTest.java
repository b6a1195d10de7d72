package io.quokka.property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The property harness on its own: repeatable cases, edges reached, and a failure that says how to replay it. */
class PropertyTest {

    @Test
    void theSameSeedGivesTheSameCases() {
        Gen<List<String>> gen = Gen.strings(Gen.anyChar(), 0, 30).list(0, 5);
        assertEquals(gen.next(new SplittableRandom(7)), gen.next(new SplittableRandom(7)));
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        Property.check("collect", 50, Gen.ints(), first::add);
        Property.check("collect", 50, Gen.ints(), second::add);
        assertEquals(first, second);
    }

    @Test
    void numbersAndLengthsReachTheirEdges() {
        List<Long> longs = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        Property.check("edges", 200, Gen.longs(-5, 1_000_000), Gen.strings(Gen.chars("ab"), 2, 9),
                (n, s) -> {
                    assertTrue(n >= -5 && n <= 1_000_000, "in range: " + n);
                    assertTrue(s.length() >= 2 && s.length() <= 9, "in range: " + s);
                    longs.add(n);
                    strings.add(s);
                });
        assertTrue(longs.containsAll(List.of(-5L, 0L, 1L, -1L, 1_000_000L)), longs::toString);
        assertTrue(strings.stream().anyMatch(s -> s.length() == 2) && strings.stream().anyMatch(s -> s.length() == 9));
    }

    @Test
    void aFailureNamesSeedAndTryAndIsShrunk() {
        AssertionError e = assertThrows(AssertionError.class, () -> Property.check("short", 100,
                Gen.strings(Gen.chars("xyz"), 0, 200), s -> assertTrue(s.length() < 10, "too long: " + s.length())));
        String report = e.getMessage();
        assertTrue(report.startsWith("property short failed on try "), report);
        assertTrue(report.contains("-Dproperty.seed=" + Property.seed() + " -Dproperty.try="), report);
        assertTrue(report.contains("shrunk in "), report);
        assertTrue(e.getCause().getMessage().startsWith("too long: 1"), "shrunk below 20 chars: " + report);
    }

    @Test
    void shrinkingKeepsToTheFilter() {
        Gen<String> gen = Gen.strings(Gen.chars("ab"), 0, 100).filter(s -> s.length() % 2 == 0);
        AssertionError e = assertThrows(AssertionError.class, () -> Property.check("even", 100, gen,
                s -> assertTrue(s.length() < 4, "long: " + s.length())));
        int shrunk = Integer.parseInt(e.getCause().getMessage().replaceAll("\\D", ""));
        assertEquals(0, shrunk % 2, e.getMessage());
    }
}
