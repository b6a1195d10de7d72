package io.quokka.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quokka.template.OllamaTemplates;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The API on models unlike our toy ({@link UnseenModels}): BPE vocabularies, tied embeddings, mixed tensor types,
 * qwen2, SmolLM's heads, library templates, no template at all, a projector layer, characters split across tokens.
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // one model's tests together: fewer loads
class UnseenModelsApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A request whose body RestAssured encodes as UTF-8 (its default for text is ISO-8859-1). */
    static io.restassured.specification.RequestSpecification json() {
        return given().contentType("application/json; charset=UTF-8");
    }

    @TestHTTPResource("/")
    URI base;

    /**
     * Into the shared test store for this class only: other classes list its models exactly (a store of our own
     * would be a second global test resource, or a Quarkus restart).
     */
    @BeforeAll
    static void install() throws Exception {
        if (!OllamaTemplates.available()) return; // each test says so: see rememberServer
        corpus = true;
        UnseenModels.install(TestStore.root);
    }

    /** Whether Ollama's template corpus was there, so that {@link #install} may have installed something. */
    private static volatile boolean corpus;

    private static volatile URI server;

    /** Without Ollama's template corpus every test is skipped, naming the folder (under {@code CI=true}, fails). */
    @BeforeEach
    void rememberServer() {
        if (!corpus) OllamaTemplates.require();
        server = base;
    }

    @AfterAll
    static void remove() throws Exception {
        if (!corpus) return; // nothing was installed
        try {
            for (String name : UnseenModels.NAMES) { // unloaded, so later classes see no resident model of ours
                HTTP.send(HttpRequest.newBuilder(server.resolve("api/generate")).POST(HttpRequest.BodyPublishers
                        .ofString("{\"model\":\"" + name + "\",\"keep_alive\":0}")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } finally {
            var writer = new io.quokka.store.StoreWriter(TestStore.root, true);
            for (String name : UnseenModels.NAMES) writer.delete(io.quokka.store.ModelName.parse(name));
        }
    }

    static String chat(String model, boolean stream, int numPredict) {
        return """
                {"model":"%s","stream":%s,"options":{"temperature":0,"num_predict":%d},
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"},
                             {"role":"assistant","content":"Hi! How can I help?"},{"role":"user","content":"Tell me about the sea."}]}"""
                .formatted(model, stream, numPredict);
    }

    /** The body's bytes decoded strictly (broken UTF-8 fails), one JSON object per line. */
    List<JsonNode> ndjson(String path, String body) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(r.body())).toString();
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) out.add(NdjsonClient.parse(line));
        }
        return out;
    }

    static void assertWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)), "lone high surrogate in " + s);
                i++;
            } else {
                assertFalse(Character.isLowSurrogate(c), "lone low surrogate in " + s);
            }
        }
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"qwen2.5:toy", "llama3.2:toy", "smollm:toy", "gemma2:toy", "phi3:toy", "mistral:toy",
            "bare:toy", "llava:toy"})
    void chatGenerateAndOpenAiThroughEachTemplate(String model) throws Exception {
        JsonPath whole = json().body(chat(model, false, 10)).post("/api/chat").then().statusCode(200)
                .extract().jsonPath();
        String content = whole.getString("message.content");
        assertEquals(10, whole.getInt("eval_count"), model + ": " + content);
        assertFalse(content.isEmpty());
        assertFalse(content.contains("\uFFFD"), model + ": " + content);
        assertTrue(whole.getInt("prompt_eval_count") > 15, model + " prompt holds the conversation");

        List<JsonNode> lines = ndjson("api/chat", chat(model, true, 10));
        StringBuilder streamed = new StringBuilder();
        for (JsonNode l : lines) {
            String piece = l.get("message").get("content").asText();
            assertWellFormed(piece);
            streamed.append(piece);
        }
        JsonNode last = lines.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals(10, last.get("eval_count").asInt());
        assertEquals(content, streamed.toString(), model + ": greedy streamed and whole answers differ");
        System.out.printf("%s chat: %s (prompt %d tokens)%n", model, content, whole.getInt("prompt_eval_count"));

        // the same model, already loaded: /api/generate (streamed: the kangaroo tests) and OpenAI's chat completions
        String body = """
                {"model":"%s","prompt":"Why is the sky blue?","stream":%s,"options":{"temperature":0,"num_predict":8}}""";
        JsonPath generated = json().body(body.formatted(model, false)).post("/api/generate").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(8, generated.getInt("eval_count"));

        JsonPath openAi = json().body("""
                {"model":"%s","max_tokens":7,"temperature":0,"messages":[{"role":"user","content":"Hello"}]}"""
                .formatted(model)).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        assertEquals(7, openAi.getInt("usage.completion_tokens"));
        assertEquals("length", openAi.getString("choices[0].finish_reason"));
    }

    @Order(5)
    @Test
    void charactersSplitAcrossTokensAreHeldBackUntilComplete() throws Exception {
        // every token is the last byte of U+1F998, " k", and the first three bytes of the next U+1F998
        List<JsonNode> lines = ndjson("api/generate", """
                {"model":"kangaroo:toy","prompt":"Hello","raw":true,"options":{"num_predict":6,"stop":["nothing"]}}""");
        StringBuilder all = new StringBuilder();
        for (JsonNode l : lines) {
            String piece = l.get("response").asText();
            assertWellFormed(piece);
            all.append(piece);
        }
        String text = all.toString();
        System.out.println("kangaroo: " + text.codePoints().mapToObj(Integer::toHexString).toList());
        assertEquals(6, lines.getLast().get("eval_count").asInt());
        assertTrue(text.contains(" k\uD83E\uDD98 k\uD83E\uDD98 k\uD83E\uDD98 k\uD83E\uDD98 k"), text);
        assertFalse(text.substring(1).contains("\uFFFD"), "only the stray first byte may be replaced: " + text);
    }

    @Order(6)
    @Test
    void stopFromTheParamsLayerMatchesCharactersSplitAcrossTokens() {
        JsonPath r = json().body("""
                {"model":"kangaroo:toy","prompt":"Hello","raw":true,"stream":false,"options":{"num_predict":12}}""")
                .post("/api/generate").then().statusCode(200).extract().jsonPath();
        assertEquals("stop", r.getString("done_reason"));
        assertEquals("\uFFFD k", r.getString("response"));
        assertEquals(3, r.getInt("eval_count"), "the stop string completes with the third token");
    }

    @Order(2)
    @Test
    void showReportsWhatAPulledModelHas() {
        JsonPath s = json().body("{\"model\":\"qwen2.5:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("qwen2", s.getString("details.family"));
        assertEquals(List.of("qwen2"), s.getList("details.families"));
        assertEquals("Q4_0", s.getString("details.quantization_level"));
        assertEquals("gguf", s.getString("details.format"));
        Map<String, Object> info = s.getMap("model_info");
        assertEquals("qwen2", info.get("general.architecture"));
        assertEquals(4, info.get("qwen2.attention.head_count"));
        assertEquals("gpt2", info.get("tokenizer.ggml.model"));
        assertEquals("qwen2", info.get("tokenizer.ggml.pre"));
        assertEquals(List.of("completion"), s.getList("capabilities"));
        assertTrue(s.getString("template").contains("<|im_start|>"));
        assertEquals("You are Qwen, a helpful assistant.", s.getString("system"));
        assertTrue(s.getString("parameters").contains("stop"), s.getString("parameters"));
        assertTrue(s.getString("parameters").contains("<|im_end|>"), s.getString("parameters"));
        assertEquals(UnseenModels.LICENSE, s.getString("license"));
        long weights = s.getLong("memory.weights");
        long total = s.getLong("memory.total");
        assertTrue(weights > 0 && total > weights && total < weights + (1L << 30), "memory " + s.getMap("memory"));
        String parameterSize = s.getString("details.parameter_size");
        System.out.printf("qwen2.5:toy show: %s params, memory %s%n", parameterSize, s.getMap("memory"));
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"qwen2.5:toy", "llama3.2:toy", "smollm:toy", "gemma2:toy", "bare:toy", "llava:toy",
            "kangaroo:toy"})
    void tagsAndShowForEveryShape(String model) throws Exception {
        JsonPath tags = given().get("/api/tags").then().statusCode(200).extract().jsonPath();
        Map<String, Object> entry = tags.getMap("models.find { it.name == '" + model + "' }");
        assertTrue(entry != null, model + " is listed");
        var name = io.quokka.store.ModelName.parse(model);
        byte[] manifest = Files.readAllBytes(name.manifestPath(TestStore.root));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest)), entry.get("digest"));
        var m = NdjsonClient.JSON.readTree(manifest);
        long size = m.get("config").get("size").asLong();
        for (JsonNode l : m.get("layers")) size += l.get("size").asLong();
        assertEquals(size, ((Number) entry.get("size")).longValue());

        JsonPath s = json().body("{\"model\":\"" + model + "\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        long total = s.getLong("memory.total");
        long weights = s.getLong("memory.weights");
        assertTrue(weights > 0 && total > weights && total < weights + (1L << 30), model + " memory " + s.getMap("memory"));
        System.out.printf("%s: size %d, %s %s %s, capabilities %s, memory total %d%n", model, size,
                s.getString("details.family"), s.getString("details.parameter_size"),
                s.getString("details.quantization_level"), s.getList("capabilities"), total);
    }

    /** The model blob's path, as the Modelfile's {@code FROM} names it. */
    private static String modelBlob(String model) throws Exception {
        var manifest = NdjsonClient.JSON.readTree(Files.readAllBytes(io.quokka.store.ModelName.parse(model)
                .manifestPath(TestStore.root)));
        for (JsonNode l : manifest.get("layers")) {
            if (l.get("mediaType").asText().equals("application/vnd.ollama.image.model")) {
                return io.quokka.store.Digest.parse(l.get("digest").asText()).blobPath(TestStore.root).toString();
            }
        }
        throw new AssertionError("no model layer in " + model);
    }

    /**
     * A model without a template layer shows what Ollama's shows: its GGUF chat template when it has one (the one chat
     * goes through), else Ollama's default {@code {{ .Prompt }}}; either way its Modelfile says
     * {@code TEMPLATE {{ .Prompt }}}, unquoted, as Ollama's Modelfile writer leaves a one-line value. Generation
     * with the default template sends the prompt as it is.
     */
    @Order(3)
    @Test
    void aModelWithoutATemplateLayerShowsOllamasDefaultTemplate() throws Exception {
        JsonPath bare = json().body("{\"model\":\"bare:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("{{ .Prompt }}", bare.getString("template"));
        assertEquals("""
                # Modelfile generated by "ollama show"
                # To build a new Modelfile based on this, replace FROM with:
                # FROM bare:toy

                FROM %s
                TEMPLATE {{ .Prompt }}
                """.formatted(modelBlob("bare:toy")), bare.getString("modelfile"));

        JsonPath smollm = json().body("{\"model\":\"smollm:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(UnseenModels.SMOLLM.chatTemplate(), smollm.getString("template"));
        assertTrue(smollm.getString("modelfile").endsWith("\nTEMPLATE {{ .Prompt }}\n"), smollm.getString("modelfile"));

        String body = """
                {"model":"bare:toy","prompt":"Why is the sky blue?","raw":%s,"stream":false,"options":{"num_predict":1}}""";
        int templated = json().body(body.formatted(false)).post("/api/generate").then().statusCode(200).extract()
                .jsonPath().getInt("prompt_eval_count");
        int raw = json().body(body.formatted(true)).post("/api/generate").then().statusCode(200).extract()
                .jsonPath().getInt("prompt_eval_count");
        assertEquals(raw, templated, "{{ .Prompt }} adds nothing to the prompt");
    }

    /** Ollama's Modelfile writer: a value with a newline is quoted ("..." unless it holds a quote); others are bare. */
    @Order(2)
    @Test
    void theModelfileIsWrittenAsOllamasIs() throws Exception {
        String modelfile = json().body("{\"model\":\"qwen2.5:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath().getString("modelfile");
        assertEquals("""
                # Modelfile generated by "ollama show"
                # To build a new Modelfile based on this, replace FROM with:
                # FROM qwen2.5:toy

                FROM %s
                TEMPLATE "%s"
                SYSTEM You are Qwen, a helpful assistant.
                PARAMETER stop <|im_start|>
                PARAMETER stop <|im_end|>
                PARAMETER temperature 0.7
                PARAMETER top_p 0.8
                LICENSE "%s"
                """.formatted(modelBlob("qwen2.5:toy"), UnseenModels.template("chatml"), UnseenModels.LICENSE), modelfile);
        String gemma = json().body("{\"model\":\"gemma2:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath().getString("modelfile");
        String quoted = "\nTEMPLATE \"\"\"" + UnseenModels.template("gemma-instruct") + "\"\"\"\n";
        assertTrue(gemma.contains(quoted), "a template holding a quote is in triple quotes: " + gemma);
        String llama = json().body("{\"model\":\"llama3.2:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath().getString("modelfile");
        assertTrue(llama.endsWith("\nMESSAGE user Hi\nMESSAGE assistant Hello!\n"), llama);
    }

    @Order(4)
    @Test
    void projectorLayerMakesAVisionModelThatStillAnswersText() {
        JsonPath s = json().body("{\"model\":\"llava:toy\"}").post("/api/show").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("completion", "vision"), s.getList("capabilities"));
        String error = json().body("""
                {"model":"llava:toy","prompt":"What is this?","images":["iVBORw0KGgo="],"stream":false}""")
                .post("/api/generate").then().statusCode(400).extract().jsonPath().getString("error");
        assertEquals("image input is not supported by Quokka yet", error);
        json().body("""
                {"model":"llava:toy","prompt":"Hello","stream":false,"options":{"num_predict":3}}""")
                .post("/api/generate").then().statusCode(200);
    }

    @Order(7)
    @ParameterizedTest
    @ValueSource(strings = {"qwen2.5:toy"})
    void embedOnTiedBpeModels(String model) {
        JsonPath r = json().body("{\"model\":\"" + model + "\",\"input\":[\"Hello world\",\"caf\u00e9 \uD83E\uDD98\"]}")
                .post("/api/embed").then().statusCode(200).extract().jsonPath();
        int dim = model.startsWith("smollm") ? 576 : 128;
        assertEquals(2, r.getList("embeddings").size());
        assertEquals(dim, r.getList("embeddings[0]").size());
        assertTrue(r.getInt("prompt_eval_count") > 3);
    }

}
