package io.quokka.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.template.Msg.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Thinking, then tool calls, out of one streamed reply, however the text is cut into pieces. */
class ReplyParserTest {
    static final String[] TAGS = {"<think>", "</think>"};

    /** The pieces a streamed answer would send (empty ones are not sent), and what the end releases. */
    private static List<Reply> stream(ReplyParser p, String out, int cut) {
        List<Reply> sent = new ArrayList<>();
        for (int i = 0; i < out.length(); i += cut) {
            Reply r = p.add(out.substring(i, Math.min(out.length(), i + cut)));
            if (!r.isEmpty()) sent.add(r);
        }
        sent.add(p.finish());
        return sent;
    }

    private static Reply whole(List<Reply> pieces) {
        Reply.Builder b = new Reply.Builder();
        pieces.forEach(b::add);
        return b.build();
    }

    @Test
    void thinkingThenACall() {
        String out = "<think>The user wants the weather.</think>\n<tool_call>\n{\"name\": \"get_weather\", "
                + "\"arguments\": {\"city\": \"Perth\"}}\n</tool_call>";
        for (int cut = 1; cut <= out.length(); cut++) {
            List<Reply> pieces = stream(ReplyParser.of(TAGS, "<tool_call>", List.of("get_weather"), "...assistant\n"), out, cut);
            Reply r = whole(pieces);
            assertEquals("The user wants the weather.", r.thinking(), "cut " + cut);
            assertEquals("", r.content(), "cut " + cut);
            assertEquals(1, r.toolCalls().size(), "cut " + cut);
            ToolCall call = r.toolCalls().getFirst();
            assertEquals("get_weather", call.name());
            assertEquals(Map.of("city", "Perth"), call.arguments());
            assertTrue(call.id().matches("call_[a-z0-9]{8}"), call.id());
            for (Reply piece : pieces) {
                assertTrue(!piece.content().contains("tool_call") && !piece.content().contains("{"), piece.toString());
            }
        }
    }

    @Test
    void aPromptEndingInTheOpeningTagStartsInThinking() {
        Reply r = whole(stream(ReplyParser.of(TAGS, null, List.of(), "<|im_start|>assistant\n<think>\n"),
                "pondering</think>\n\nHello", 3));
        assertEquals("pondering", r.thinking());
        assertEquals("Hello", r.content());
    }

    @Test
    void bareJsonCallsAndPlainText() {
        Reply call = whole(stream(ReplyParser.of(null, "{", List.of("get_weather"), ""),
                "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Perth\"}}", 2));
        assertEquals("", call.content());
        assertEquals(List.of("get_weather"), call.toolCalls().stream().map(ToolCall::name).toList());
        Reply text = whole(stream(ReplyParser.of(null, "{", List.of("get_weather"), ""), "It is sunny {mostly}.", 2));
        assertEquals("It is sunny {mostly}.", text.content());
        assertEquals(List.of(), text.toolCalls());
        Reply notACall = whole(stream(ReplyParser.of(null, "{", List.of("get_weather"), ""), "{\"a\": 1}", 2));
        assertEquals("{\"a\": 1}", notACall.content());
    }

    @Test
    void withoutThinkingOrToolsTextPassesThrough() {
        ReplyParser p = ReplyParser.plain();
        assertEquals(Reply.content("<think>x</think> <tool_call>"), p.add("<think>x</think> <tool_call>"));
        assertEquals(Reply.EMPTY, p.finish());
    }

    @Test
    void goQuoteMatchesGo() {
        assertEquals("\"toy\"", GoQuote.quote("toy"));
        assertEquals("\"a\\\"b\\\\c\\n\\x01é\"", GoQuote.quote("a\"b\\c\n\u0001é"));
    }
}
