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
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonSchema;
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
import java.util.Map;
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
        assertEquals(List.of("broken:latest", "plain/q4:small", "thinker:latest", "toy:latest"),
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

    /** get_weather(city), as an application declares it. */
    static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather").description("The weather in a city")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build())
                .build();
    }

    /** Random weights write gibberish: a schema whose only valid output is the call (toy reads bare JSON calls). */
    static ResponseFormatJsonSchema forceCall() {
        var schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("name", Map.of("enum", List.of("get_weather")),
                        "arguments", Map.of("type", "object", "properties", Map.of("city", Map.of("enum", List.of("Perth"))),
                                "required", List.of("city")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("name", "arguments"))).build();
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("call").schema(schema).build()).build();
    }

    @Test
    void toolCallRoundTrip() {
        var ask = ChatCompletionCreateParams.builder().model("toy").addUserMessage("Weather in Perth?").temperature(0.0)
                .addFunctionTool(weatherTool());
        ChatCompletion c = client.chat().completions().create(ask.maxCompletionTokens(64).responseFormat(forceCall()).build());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        var call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertTrue(call.id().matches("call_[a-z0-9]{8}"), call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"city\":\"Perth\"}", call.function().arguments());
        // The assistant's message goes back as the SDK returned it, then the tool's result.
        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder().model("toy")
                .temperature(0.0).maxCompletionTokens(4).addUserMessage("Weather in Perth?").addFunctionTool(weatherTool())
                .addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("Sunny, 25 C").build())
                .build());
        assertTrue(answer.usage().orElseThrow().promptTokens() > c.usage().orElseThrow().promptTokens());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, answer.choices().getFirst().finishReason());
    }

    @Test
    void streamedToolCall() {
        var params = ChatCompletionCreateParams.builder().model("toy").addUserMessage("Weather in Perth?")
                .temperature(0.0).maxCompletionTokens(64).addFunctionTool(weatherTool()).responseFormat(forceCall()).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        var calls = chunks.stream().flatMap(c -> c.choices().stream())
                .flatMap(ch -> ch.delta().toolCalls().orElse(List.of()).stream()).toList();
        assertEquals(1, calls.size());
        assertEquals(0, calls.getFirst().index());
        assertEquals("{\"city\":\"Perth\"}", calls.getFirst().function().orElseThrow().arguments().orElseThrow());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS, chunks.stream().flatMap(c -> c.choices().stream())
                .flatMap(ch -> ch.finishReason().stream()).findFirst().orElseThrow());
    }

    @Test
    void reasoning() {
        var ask = ChatCompletionCreateParams.builder().model("thinker").addUserMessage("Hi").temperature(0.0)
                .maxCompletionTokens(6);
        ChatCompletion c = client.chat().completions().create(ask.build());
        JsonValue reasoning = c.choices().getFirst().message()._additionalProperties().get("reasoning");
        assertTrue(reasoning != null && !String.valueOf(reasoning.asString().orElse("")).isEmpty(), c.toString());
        ChatCompletion off = client.chat().completions().create(ask.reasoningEffort(ReasoningEffort.NONE).build());
        assertEquals(null, off.choices().getFirst().message()._additionalProperties().get("reasoning"));
        assertFalse(off.choices().getFirst().message().content().orElse("").isEmpty());
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(chat("toy", 3).reasoningEffort(ReasoningEffort.HIGH).build()));
        assertTrue(e.getMessage().contains("\"toy\" does not support thinking"), e.getMessage());
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
