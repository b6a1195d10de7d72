package io.quokka.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextOutputTest {
    final List<String> out = new ArrayList<>();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void deliversAtOnceWhenNothingCouldBeAStop() {
        TextOutput t = new TextOutput(List.of("</s>"), out::add);
        assertFalse(t.add(b("Hello")));
        assertFalse(t.add(b(" world")));
        assertEquals(List.of("Hello", " world"), out);
    }

    @Test
    void holdsBackAPossibleStopPrefixAndReleasesItWhenItIsNot() {
        TextOutput t = new TextOutput(List.of("</s>"), out::add);
        assertFalse(t.add(b("a<")));
        assertEquals(List.of(), out);
        assertFalse(t.add(b("b")));
        assertEquals(List.of("a<b"), out);
    }

    @Test
    void aStopSplitOverTokensIsNeverDelivered() {
        TextOutput t = new TextOutput(List.of("STOP"), out::add);
        assertFalse(t.add(b("x S")));
        assertFalse(t.add(b("TO")));
        assertTrue(t.add(b("Py and more")));
        assertEquals("x ", String.join("", out));
    }

    @Test
    void splitUtf8IsAccumulatedAndAnUnfinishedTailDropped() {
        byte[] euro = b("€"); // 3 bytes
        TextOutput t = new TextOutput(List.of(), out::add);
        t.add(new byte[] {euro[0]});
        t.add(new byte[] {euro[1]});
        assertEquals(List.of(), out);
        t.add(new byte[] {euro[2], 'a'});
        assertEquals(List.of("€a"), out);
        t.add(new byte[] {euro[0]});
        t.finish();
        assertEquals(List.of("€a"), out);
    }

    @Test
    void emptyStopStringsAreIgnored() {
        TextOutput t = new TextOutput(List.of(""), out::add);
        assertFalse(t.add(b("a")));
        assertEquals(List.of("a"), out);
    }
}
