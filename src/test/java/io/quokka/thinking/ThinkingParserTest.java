package io.quokka.thinking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ollama's thinking/parser_test.go cases, plus the end of the output. */
class ThinkingParserTest {

    private static ThinkingParser think() {
        return new ThinkingParser("<think>", "</think>");
    }

    /** Steps of (input, expected thinking, expected content). */
    private static void steps(String... s) {
        ThinkingParser p = think();
        for (int i = 0; i < s.length; i += 3) {
            ThinkingParser.Split split = p.add(s[i]);
            assertEquals(s[i + 1], split.thinking(), "thinking after " + List.of(s).subList(0, i + 1));
            assertEquals(s[i + 2], split.content(), "content after " + List.of(s).subList(0, i + 1));
        }
    }

    @Test
    void wholeOutputs() {
        steps("<think> internal </think> world", "internal ", "world");
        steps("<think>a</think><think>b</think>c", "a", "<think>b</think>c");
        steps("no think", "", "no think");
    }

    @Test
    void contentWithoutATagKeepsItsWhitespace() {
        steps("  abc", "", "  abc", "def", "", "def");
    }

    @Test
    void contentBeforeATagMeansNoThinking() {
        steps("  abc <think>def</think> ghi", "", "  abc <think>def</think> ghi");
    }

    @Test
    void tagsSplitAcrossPieces() {
        steps("  <th", "", "", "in", "", "", "k>a", "a", "");
        steps("<think>abc</th", "abc", "", "ink>def", "", "def");
        steps("<think>abc</th", "abc", "", "ing>def", "</thing>def", "", "ghi</thi", "ghi", "", "nk>jkl", "", "jkl");
    }

    @Test
    void whitespaceAroundTheTagsIsDropped() {
        steps("  <think>abc</think>\n\ndef", "abc", "def");
        steps("  <think>abc</think>", "abc", "", "\n\ndef", "", "def");
        steps("  <think>abc</think>\n\ndef ", "abc", "def ", " ghi", "", " ghi");
        steps("<think>", "", "", "\n", "", "", "</think>", "", "", "\n\n", "", "", "Hi", "", "Hi", " there", "", " there");
    }

    @Test
    void everySplitOfAnOutputGivesTheSameResult() {
        String out = "\n<think>\nLet me see: 2 < 3 </ no.\n</think>\n\nThe answer is <b>yes</b>.";
        for (int cut = 1; cut <= out.length(); cut++) {
            ThinkingParser p = think();
            StringBuilder thinking = new StringBuilder();
            StringBuilder content = new StringBuilder();
            for (int i = 0; i < out.length(); i += cut) {
                var s = p.add(out.substring(i, Math.min(out.length(), i + cut)));
                thinking.append(s.thinking());
                content.append(s.content());
            }
            var end = p.finish();
            thinking.append(end.thinking());
            content.append(end.content());
            assertEquals("Let me see: 2 < 3 </ no.\n", thinking.toString(), "pieces of " + cut);
            assertEquals("The answer is <b>yes</b>.", content.toString(), "pieces of " + cut);
        }
    }

    @Test
    void theEndReleasesWhatWasHeldBack() {
        ThinkingParser p = think();
        assertEquals(new ThinkingParser.Split("", ""), p.add("<thi"));
        assertEquals(new ThinkingParser.Split("", "<thi"), p.finish());
        p = think();
        assertEquals(new ThinkingParser.Split("abc", ""), p.add("<think>abc</thi"));
        assertEquals(new ThinkingParser.Split("</thi", ""), p.finish());
    }
}
