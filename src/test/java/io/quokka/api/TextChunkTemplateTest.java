package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quokka.api.ollama.ChatResponse;
import io.quokka.api.ollama.GenerateResponse;
import io.quokka.api.ollama.Timestamps;
import io.quokka.generation.Reply;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The template's lines are byte for byte the lines Jackson writes, for any text; where they cannot be, no template. */
class TextChunkTemplateTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final BiFunction<String, String, Object> GENERATE = (t, x) -> GenerateResponse.chunk("qwen2.5:0.5b", t, x, null);
    static final BiFunction<String, String, Object> CHAT = (t, x) -> ChatResponse.chunk("a \"odd\" ✓ model", t,
            Reply.content(x));

    @Test
    void generateAndChatChunksAreJacksonsBytesForRandomText() throws Exception {
        for (var chunk : java.util.List.of(GENERATE, CHAT)) {
            TextChunkTemplate template = TextChunkTemplate.of(MAPPER, chunk);
            assertNotNull(template);
            Random random = new Random(7);
            for (int i = 0; i < 3_000; i++) {
                String text = randomText(random);
                String time = Timestamps.now();
                assertArrayEquals(MAPPER.writeValueAsBytes(chunk.apply(time, text)), template.line(time, text),
                        () -> "text " + text.codePoints().mapToObj(Integer::toHexString).toList());
            }
        }
    }

    @Test
    void loneSurrogatesAreEscapedAsJacksonDoes() throws Exception {
        TextChunkTemplate template = TextChunkTemplate.of(MAPPER, GENERATE);
        for (String text : java.util.List.of("\uD83E", "a\uDD98b", "\uDD98\uD83E", "x\uD83E\uD83E\uDD98")) {
            assertArrayEquals(MAPPER.writeValueAsBytes(GENERATE.apply("T", text)), template.line("T", text));
        }
    }

    @Test
    void noChunkOrAMapperItCannotReproduceGetsNoTemplate() {
        assertNull(TextChunkTemplate.of(MAPPER, (t, x) -> null));
        ObjectMapper asciiOnly = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
        assertNull(TextChunkTemplate.of(asciiOnly, GENERATE), "Jackson escapes non-ASCII there; the encoder does not");
        // a chunk whose text is not where the template expects it: written twice
        assertNull(TextChunkTemplate.of(MAPPER, (t, x) -> GenerateResponse.chunk("m", t, x, x)));
    }

    /** Mostly ASCII words, with control characters, quotes, backslashes, accents, CJK and astral code points. */
    static String randomText(Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            int cp = switch (kind) {
                case 0 -> random.nextInt(0x20);
                case 1 -> "\"\\/<>&'".charAt(random.nextInt(7));
                case 2 -> 0x80 + random.nextInt(0x780);
                case 3 -> 0x4e00 + random.nextInt(0x5000);
                case 4 -> 0x1f300 + random.nextInt(0x300);
                case 5 -> 0x2028 + random.nextInt(2); // line and paragraph separators
                case 6 -> 0x7f + random.nextInt(0x21);
                default -> 0x20 + random.nextInt(0x5f);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }
}
