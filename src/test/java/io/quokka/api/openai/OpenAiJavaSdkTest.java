package io.quokka.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.api.TestStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK ({@code com.openai:openai-java}) pointed at Quokka's {@code /v1}. */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class OpenAiJavaSdkTest {
    @TestHTTPResource("/")
    URI base;

    OpenAIClient client;

    @BeforeEach
    void connect() {
        client = OpenAIOkHttpClient.builder().baseUrl(base.resolve("v1").toString()).apiKey("quokka").maxRetries(0)
                .build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    static ChatCompletionCreateParams.Builder chat(String model, long maxTokens) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("Be brief.")
                .addUserMessage("Hello there").temperature(0.0).maxCompletionTokens(maxTokens);
    }

    @Test
    void listsAndRetrievesModels() {
        List<Model> models = client.models().list().data();
        assertEquals(List.of("broken:latest", "plain/q4:small", "toy:latest"),
                models.stream().map(Model::id).filter(id -> !id.equals("big:latest")).sorted().toList(),
                "the test store's models (and big:latest, which HealthApiTest may have added)");
        Model plain = models.stream().filter(m -> m.id().equals("plain/q4:small")).findFirst().orElseThrow();
        assertEquals("plain", plain.ownedBy());
        Model toy = client.models().retrieve("toy");
        assertEquals("toy", toy.id());
        assertEquals("library", toy.ownedBy());
        assertTrue(toy.created() > 1_600_000_000L);
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.models().retrieve("nope"));
        assertEquals(404, e.statusCode());
        assertEquals(Optional.of("not_found_error"), e.type());
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(chat("toy", 6).build());
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
        assertEquals("toy", c.model());
        assertEquals(Optional.of("fp_ollama"), c.systemFingerprint());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
        assertFalse(choice.message().content().orElse("").isEmpty());
        var usage = c.usage().orElseThrow();
        assertEquals(6, usage.completionTokens());
        assertEquals(usage.promptTokens() + 6, usage.totalTokens());
    }

    @Test
    void streamedChatCompletionWithUsage() {
        var params = chat("toy", 6).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        ChatCompletion whole = client.chat().completions().create(chat("toy", 6).build());
        assertEquals(whole.choices().getFirst().message().content().orElseThrow(), text);
        var finish = chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.finishReason().isPresent())
                .toList();
        assertEquals(1, finish.size());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH, finish.getFirst().finishReason().orElseThrow());
        var usage = chunks.getLast().usage().orElseThrow();
        assertEquals(whole.usage().orElseThrow().promptTokens(), usage.promptTokens());
        assertEquals(6, usage.completionTokens());
    }

    @Test
    void completion() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of("toy")).prompt("Once upon a time").maxTokens(5L)
                .temperature(0.0).build());
        assertTrue(c.id().startsWith("cmpl-"), c.id());
        assertEquals("length", c.choices().getFirst().finishReason().asString());
        assertEquals(5, c.usage().orElseThrow().completionTokens());
        assertFalse(c.choices().getFirst().text().isEmpty());

        List<String> pieces = new ArrayList<>();
        try (var stream = client.completions().createStreaming(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of("toy")).prompt("Once upon a time").maxTokens(5L)
                .temperature(0.0).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> pieces.add(ch.text())));
        }
        assertEquals(c.choices().getFirst().text(), String.join("", pieces));
    }

    @Test
    void errorsSurfaceAsTheSdksExceptions() {
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(chat("nope", 3).build()));
        assertTrue(missing.getMessage().contains("model 'nope' not found"), missing.getMessage());
        BadRequestException n = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat("toy", 3).n(2L).build()));
        assertEquals(Optional.of("n"), n.param());
        assertEquals(Optional.of("invalid_request_error"), n.type());
        InternalServerException broken = assertThrows(InternalServerException.class,
                () -> client.chat().completions().create(chat("broken", 3).build()));
        assertEquals(Optional.of("api_error"), broken.type());
    }

    @Test
    void aFailureMidStreamIsAnSseException() {
        var params = ChatCompletionCreateParams.builder().model("toy").addUserMessage("Go on")
                .maxCompletionTokens(1_000_000L).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            var chunks = stream.stream().iterator();
            for (int i = 0; i < 3; i++) chunks.next();
            ProcessHandle.current().descendants().filter(OpenAiJavaSdkTest::isRunner).forEach(ProcessHandle::destroyForcibly);
            SseException e = assertThrows(SseException.class, () -> {
                while (chunks.hasNext()) chunks.next();
            });
            assertTrue(e.getMessage().contains("llama runner process has terminated"), e.getMessage());
        }
    }

    static boolean isRunner(ProcessHandle p) {
        try {
            String cmdline = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", p.pid() + "", "cmdline"));
            return List.of(cmdline.split("\0")).contains("runner");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
