package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModelCard;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.RunningOllamaModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's Ollama module ({@code dev.langchain4j:langchain4j-ollama}, the version in the pom) against the running
 * test server's native {@code /api}: chat streamed and not, generation, embeddings, JSON and schema output, a tool
 * call round trip, thinking, model listing, and an unknown model surfacing as LangChain4j's {@link ModelNotFoundException}.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
class LangChain4jOllamaTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TestHTTPResource("/")
    URI base;

    String baseUrl() {
        return base.toString().replaceAll("/$", "");
    }

    OllamaChatModel chat(String model, int numPredict) {
        return OllamaChatModel.builder().baseUrl(baseUrl()).modelName(model).temperature(0.0).seed(42)
                .numPredict(numPredict).timeout(TIMEOUT).maxRetries(0).build();
    }

    @Test
    void chatNotStreamed() {
        ChatResponse r = chat("toy", 5).chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("Hello there")).build());
        assertTrue(r.aiMessage().text().length() > 0);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(5, r.tokenUsage().outputTokenCount());
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
        assertEquals("toy", r.modelName());
    }

    @Test
    void chatStreamedMatchesNotStreamed() throws Exception {
        var model = OllamaStreamingChatModel.builder().baseUrl(baseUrl()).modelName("plain/q4:small").temperature(0.0)
                .seed(42).numPredict(6).timeout(TIMEOUT).build();
        List<String> parts = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(List.of(UserMessage.from("Hello there")), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse complete) {
                done.complete(complete);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(120, TimeUnit.SECONDS);
        assertTrue(parts.size() >= 2, parts.toString());
        assertEquals(String.join("", parts), r.aiMessage().text());
        assertEquals(6, r.tokenUsage().outputTokenCount());
        String whole = chat("plain/q4:small", 6).chat(UserMessage.from("Hello there")).aiMessage().text();
        assertEquals(whole, r.aiMessage().text());
    }

    @Test
    void generation() {
        var model = OllamaLanguageModel.builder().baseUrl(baseUrl()).modelName("toy").temperature(0.0).seed(42)
                .numPredict(4).timeout(TIMEOUT).maxRetries(0).build();
        Response<String> r = model.generate("Why is the sky blue?");
        assertTrue(r.content().length() > 0);
        assertEquals(4, r.tokenUsage().outputTokenCount()); // (its Response carries no finish reason)
    }

    @Test
    void embeddings() {
        var model = OllamaEmbeddingModel.builder().baseUrl(baseUrl()).modelName("toy").timeout(TIMEOUT).maxRetries(0)
                .build();
        Embedding one = model.embed("The sky is blue").content();
        double norm = 0;
        for (float v : one.vector()) norm += v * v;
        assertEquals(1.0, Math.sqrt(norm), 1e-3, "L2-normalised");
        List<Embedding> two = model.embedAll(List.of(TextSegment.from("The sky is blue"), TextSegment.from("Grass")))
                .content();
        assertEquals(2, two.size());
        assertEquals(one.dimension(), two.get(1).dimension());
        assertEquals(one.dimension(), model.dimension());
        var cut = OllamaEmbeddingModel.builder().baseUrl(baseUrl()).modelName("toy").dimensions(8).timeout(TIMEOUT)
                .build();
        assertEquals(8, cut.embed("The sky is blue").content().dimension());
    }

    @Test
    void jsonAndSchemaResponseFormats() throws Exception {
        var json = OllamaChatModel.builder().baseUrl(baseUrl()).modelName("toy").temperature(0.0).seed(42)
                .numPredict(400).responseFormat(ResponseFormat.JSON).timeout(TIMEOUT).build();
        JsonNode parsed = JSON.readTree(json.chat("Describe the sky as JSON"));
        assertTrue(parsed.isObject(), parsed.toString());

        JsonSchema schema = JsonSchema.builder().name("Person").rootElement(JsonObjectSchema.builder()
                .addEnumProperty("name", List.of("Ann", "Bob")).addIntegerProperty("age").required("name", "age")
                .build()).build();
        // Random weights pick free-text characters forever; an enum and an integer always finish (the grammar
        // bounds both), so the answer is complete well within the budget.
        ChatResponse r = chat("toy", 200).chat(ChatRequest.builder().messages(UserMessage.from("Who are you?"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build())
                .build());
        JsonNode person = JSON.readTree(r.aiMessage().text());
        assertTrue(person.isObject(), person.toString());
        if (Files.isDirectory(Path.of("src/main/java/io/quokka/grammar"))) { // schema-exact decoding
            assertTrue(person.path("name").isTextual(), person.toString());
            assertTrue(person.path("age").isIntegralNumber(), person.toString());
        }
    }

    @Test
    void toolCallRoundTrip() throws Exception {
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("The weather in a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city", "The city").required("city").build())
                .build();
        // Random weights write gibberish: a schema whose only valid output is the call (toy reads bare JSON calls).
        JsonSchema forceCall = JsonSchema.builder().name("call").rootElement(JsonObjectSchema.builder()
                .addEnumProperty("name", List.of("get_weather"))
                .addProperty("arguments", JsonObjectSchema.builder().addEnumProperty("city", List.of("Perth"))
                        .required("city").build())
                .required("name", "arguments").build()).build();
        UserMessage ask = UserMessage.from("Weather in Perth?");
        ChatResponse r = chat("toy", 64).chat(ChatRequest.builder().messages(ask).toolSpecifications(weather)
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(forceCall).build())
                .build());
        AiMessage ai = r.aiMessage();
        assertTrue(ai.hasToolExecutionRequests(), ai.toString());
        ToolExecutionRequest call = ai.toolExecutionRequests().getFirst();
        assertEquals("get_weather", call.name());
        assertEquals("Perth", JSON.readTree(call.arguments()).path("city").asText(), call.arguments());
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
        // The tool's result goes back after the assistant's call.
        ChatResponse answer = chat("toy", 4).chat(ChatRequest.builder()
                .messages(ask, ai, ToolExecutionResultMessage.from(call, "Sunny, 25 C")).toolSpecifications(weather).build());
        assertTrue(answer.tokenUsage().inputTokenCount() > r.tokenUsage().inputTokenCount());
        assertEquals(FinishReason.LENGTH, answer.finishReason());
    }

    @Test
    void thinking() {
        // thinker's prompt opens the thinking when the request thinks, so all it writes is thinking.
        var thinking = OllamaChatModel.builder().baseUrl(baseUrl()).modelName("thinker").temperature(0.0).seed(42)
                .numPredict(6).think(true).returnThinking(true).timeout(TIMEOUT).maxRetries(0).build();
        AiMessage m = thinking.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build()).aiMessage();
        assertTrue(m.thinking() != null && !m.thinking().isEmpty(), m.toString());
        var off = OllamaChatModel.builder().baseUrl(baseUrl()).modelName("thinker").temperature(0.0).seed(42)
                .numPredict(6).think(false).returnThinking(true).timeout(TIMEOUT).maxRetries(0).build();
        AiMessage plain = off.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build()).aiMessage();
        assertTrue(plain.thinking() == null || plain.thinking().isEmpty(), plain.toString());
        assertTrue(plain.text() != null && !plain.text().isEmpty(), plain.toString());
    }

    @Test
    void modelsListCardAndRunning() {
        var models = OllamaModels.builder().baseUrl(baseUrl()).timeout(TIMEOUT).build();
        List<OllamaModel> list = models.availableModels().content();
        assertEquals(List.of("broken:latest", "plain/q4:small", "thinker:latest", "toy:latest"),
                list.stream().map(OllamaModel::getName).filter(n -> !n.equals(BigModel.NAME + ":latest")).sorted()
                        .toList(), "the test store's models (and big, which HealthApiTest may have added)");
        OllamaModel toy = list.stream().filter(m -> m.getName().equals("toy:latest")).findFirst().orElseThrow();
        assertTrue(toy.getDigest().matches("[0-9a-f]{64}"));
        assertNotNull(toy.getModifiedAt());
        assertEquals("Q8_0", toy.getDetails().getQuantizationLevel());

        OllamaModelCard card = models.modelCard("toy").content();
        assertTrue(card.getTemplate().contains(".Messages"));
        assertTrue(card.getCapabilities().contains("completion"));
        assertEquals("llama", card.getModelInfo().get("general.architecture"));

        chat("toy", 1).chat("hi");
        List<RunningOllamaModel> running = models.runningModels().content();
        assertTrue(running.stream().anyMatch(m -> m.getName().equals("toy:latest")), running.toString());
    }

    @Test
    void anUnknownModelIsLangChain4jsModelNotFoundException() {
        var e = assertThrows(ModelNotFoundException.class, () -> chat("nope", 3).chat("hi"));
        assertTrue(e.getMessage().contains("model 'nope' not found"), e.getMessage());
        var g = assertThrows(ModelNotFoundException.class, () -> OllamaLanguageModel.builder().baseUrl(baseUrl())
                .modelName("nope").maxRetries(0).build().generate("hi"));
        assertTrue(g.getMessage().contains("model 'nope' not found"), g.getMessage());
        assertThrows(ModelNotFoundException.class, () -> OllamaEmbeddingModel.builder().baseUrl(baseUrl())
                .modelName("nope").maxRetries(0).build().embed("hi"));

        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        OllamaStreamingChatModel.builder().baseUrl(baseUrl()).modelName("nope").build().chat("hi",
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {}

                    @Override
                    public void onCompleteResponse(ChatResponse complete) {
                        done.complete(complete);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> done.get(60, TimeUnit.SECONDS));
        assertInstanceOf(ModelNotFoundException.class, failure.getCause(), String.valueOf(failure.getCause()));
    }
}
