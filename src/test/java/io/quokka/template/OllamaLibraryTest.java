package io.quokka.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Ollama's TestTemplate: every template in Ollama's library rendered for three conversations,
 * compared with Ollama's own expected outputs (template/testdata), including its trailing-space
 * allowance for five templates.
 */
class OllamaLibraryTest {
    static final List<String> TEMPLATES = List.of("alfred", "alpaca", "chatml", "chatqa", "codellama-70b-instruct",
            "command-r", "falcon-instruct", "gemma-instruct", "gemma3-instruct", "granite-instruct", "llama2-chat",
            "llama3-instruct", "magicoder", "mistral-instruct", "openchat", "phi-3", "solar-instruct",
            "starcoder2-instruct", "vicuna", "zephyr");

    static final Map<String, List<Msg>> CASES = Map.of(
            "user", List.of(Msg.user("Hello, how are you?")),
            "user-assistant-user", List.of(Msg.user("Hello, how are you?"),
                    Msg.assistant("I'm doing great. How can I help you today?"),
                    Msg.user("I'd like to show off how chat templating works!")),
            "system-user-assistant-user", List.of(Msg.system("You are a helpful assistant."),
                    Msg.user("Hello, how are you?"),
                    Msg.assistant("I'm doing great. How can I help you today?"),
                    Msg.user("I'd like to show off how chat templating works!")));

    static final Set<String> TRAILING_SPACE_OK = Set.of("chatqa.gotmpl", "llama2-chat.gotmpl",
            "mistral-instruct.gotmpl", "openchat.gotmpl", "vicuna.gotmpl");

    static String resource(String path) {
        try (InputStream in = OllamaLibraryTest.class.getResourceAsStream("ollama/" + path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> libraryTemplatesMatchOllamaTestdata() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : TEMPLATES) {
            String file = name + ".gotmpl";
            PromptTemplate t = PromptTemplate.parse(resource(file));
            for (var c : CASES.entrySet()) {
                tests.add(DynamicTest.dynamicTest(file + "/" + c.getKey(), () -> {
                    String got = t.renderChat(c.getValue(), null, null);
                    if (TRAILING_SPACE_OK.contains(file) && got.endsWith(" ")) got = got.substring(0, got.length() - 1);
                    assertEquals(resource("testdata/" + file + "/" + c.getKey()), got);
                }));
            }
        }
        return tests.stream();
    }
}
