package io.quokka.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Ollama's TestTemplate: every template in Ollama's library rendered for three conversations, compared with Ollama's
 * own expected outputs (template/testdata), including its trailing-space allowance for five templates; and a few facts
 * about single library templates. The templates and outputs are read from the corpus outside the repository
 * ({@link OllamaTemplates}: {@code ../shared/ollama-templates/}); without it these tests are skipped, or fail under
 * {@code CI=true}.
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

    @TestFactory
    Stream<DynamicTest> libraryTemplatesMatchOllamaTestdata() {
        if (!OllamaTemplates.available()) { // one test that reports the absence (skipped, or failed under CI=true)
            return Stream.of(DynamicTest.dynamicTest("Ollama's template corpus", OllamaTemplates::require));
        }
        Path corpus = OllamaTemplates.require();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("the corpus holds exactly these templates", () -> {
            try (Stream<Path> files = Files.list(corpus)) {
                assertEquals(TEMPLATES.stream().map(n -> n + ".gotmpl").sorted().toList(), files
                        .map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gotmpl")).sorted().toList());
            }
        }));
        for (String name : TEMPLATES) {
            String file = name + ".gotmpl";
            PromptTemplate t = PromptTemplate.parse(OllamaTemplates.read(file));
            for (var c : CASES.entrySet()) {
                tests.add(DynamicTest.dynamicTest(file + "/" + c.getKey(), () -> {
                    String got = t.renderChat(c.getValue(), null, null);
                    if (TRAILING_SPACE_OK.contains(file) && got.endsWith(" ")) got = got.substring(0, got.length() - 1);
                    assertEquals(OllamaTemplates.read("testdata/" + file + "/" + c.getKey()), got);
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void llama3GenerateUsesSystemAndChatPath() {
        PromptTemplate t = PromptTemplate.parse(OllamaTemplates.read("llama3-instruct.gotmpl"));
        assertEquals("<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                t.renderGenerate("Be brief.", "Hi", null, null));
    }

    @Test
    void gemma3Vars() {
        assertEquals(List.of("$", "$i", "$last", "content", "messages", "role", "system"),
                PromptTemplate.parse(OllamaTemplates.read("gemma3-instruct.gotmpl")).vars());
    }

    @Test
    void llama3DoesNotThink() {
        assertFalse(PromptTemplate.parse(OllamaTemplates.read("llama3-instruct.gotmpl")).supportsThinking());
    }
}
