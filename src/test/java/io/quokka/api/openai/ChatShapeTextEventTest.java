package io.quokka.api.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.api.TextChunkTemplate;
import io.quokka.generation.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A streamed chat completion's text-only events, written from a template, are byte for byte the events
 * {@link ChatShape#piece} makes and Jackson writes; the first one, which carries the role, is not templated.
 */
class ChatShapeTextEventTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void textEventsAfterTheRoleChunkAreJacksonsBytesForRandomText() throws Exception {
        ChatShape shape = new ChatShape("a \"quoted\" ✓ model", true);
        assertNull(shape.textEvent("x"), "the first chunk carries the role: not from a template");
        List<Object> first = shape.piece(Reply.content("Hello"));
        assertEquals(1, first.size());
        TextChunkTemplate template = TextChunkTemplate.of(MAPPER, (time, text) -> shape.textEvent(text));
        assertNotNull(template);
        template = template.after("data: ".getBytes(StandardCharsets.US_ASCII));
        Random random = new Random(11);
        for (int i = 0; i < 3_000; i++) {
            String text = io.quokka.api.TextChunkTemplateTestAccess.randomText(random);
            if (text.isEmpty()) continue; // an empty piece is never written
            List<Object> events = shape.piece(Reply.content(text));
            assertEquals(1, events.size());
            ByteArrayOutputStream expected = new ByteArrayOutputStream(); // as SseFraming writes it with Jackson
            expected.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
            expected.writeBytes(MAPPER.writeValueAsBytes(events.getFirst()));
            expected.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            for (byte[] part : template.parts(null, text, "\n\n".getBytes(StandardCharsets.US_ASCII))) {
                actual.writeBytes(part);
            }
            assertArrayEquals(expected.toByteArray(), actual.toByteArray(), () -> "text " + text.codePoints()
                    .mapToObj(Integer::toHexString).toList());
        }
    }
}
