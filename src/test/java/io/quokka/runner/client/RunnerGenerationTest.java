package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.ChatMessage;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.ModelFacts;
import io.quokka.engine.SamplingParams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation through a real runner process hosting the gguf package's tiny toy model (n_ctx 256). */
class RunnerGenerationTest {
    static final int N_CTX = 256;
    static LoadedModel model;

    @BeforeAll
    static void load() throws EngineException {
        model = TestModels.engine().load(TestModels.request(TestModels.tiny(), N_CTX, 64));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    record Run(GenerationResult result, String text, List<String> pieces) {}

    static Run generate(String prompt, SamplingParams sampling, int numPredict, List<String> stops, String grammar)
            throws EngineException {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = model.generate(new GenerationRequest(null, prompt, sampling, numPredict, 4, stops, grammar),
                pieces::add, new CancelToken());
        return new Run(r, String.join("", pieces), pieces);
    }

    @Test
    void factsComeFromTheModelAndContext() {
        ModelFacts f = model.facts();
        assertEquals(N_CTX, f.contextLength());
        assertEquals(2048, f.trainedContext());
        assertEquals(512, f.vocabSize());
        assertTrue(f.chatTemplate().contains("<|im_start|>"));
        assertTrue(f.loadNanos() > 0);
        assertTrue(model.isAlive());
        assertTrue(model.residentBytes() > 0);
    }

    @Test
    void tokenizeAddsBosOnlyWhenAsked() throws EngineException {
        int[] with = model.tokenize("Hello world", true);
        int[] without = model.tokenize("Hello world", false);
        assertEquals(1, with[0]); // BOS of the toy vocabulary
        assertArrayEquals(without, Arrays.copyOfRange(with, 1, with.length));
        // special tokens in the text are parsed as such: one token each
        assertEquals(without.length + 2, model.tokenize("<|im_start|>Hello world<|im_end|>", false).length);
    }

    @Test
    void greedyIsDeterministicAndCountsAreExact() throws EngineException {
        Run a = generate("Hello world", TestModels.greedy(), 12, List.of(), null);
        Run b = generate("Hello world", TestModels.greedy(), 12, List.of(), null); // reuses the cached prefix
        assertEquals(a.text(), b.text());
        assertArrayEquals(a.result().context(), b.result().context());
        int promptTokens = model.tokenize("Hello world", true).length;
        assertEquals(promptTokens, b.result().promptEvalCount()); // counted even when the KV prefix was reused
        assertEquals(DoneReason.LENGTH, a.result().doneReason());
        assertEquals(12, a.result().evalCount());
        assertEquals(promptTokens + 12, a.result().context().length);
        assertTrue(a.result().evalNanos() > 0 && a.result().promptEvalNanos() > 0);
    }

    @Test
    void seededSamplingIsDeterministic() throws EngineException {
        Run a = generate("The water", TestModels.seeded(1234), 16, List.of(), null);
        Run b = generate("The water", TestModels.seeded(1234), 16, List.of(), null);
        Run other = generate("The water", TestModels.seeded(99), 16, List.of(), null);
        assertEquals(a.text(), b.text());
        assertArrayEquals(a.result().context(), b.result().context());
        assertFalse(Arrays.equals(a.result().context(), other.result().context()), "another seed, another text");
    }

    @Test
    void numPredictGivesExactlyThatManyTokens() throws EngineException {
        for (int n : new int[] {1, 7}) {
            Run r = generate("one two three", TestModels.greedy(), n, List.of(), null);
            assertEquals(n, r.result().evalCount());
            assertEquals(DoneReason.LENGTH, r.result().doneReason());
        }
    }

    @Test
    void stopStringEndsGenerationAndIsNeverDelivered() throws EngineException {
        Run free = generate("Hello world", TestModels.greedy(), 30, List.of(), null);
        String text = free.text();
        assertTrue(text.length() > 8, text);
        String stop = text.substring(4, 7);
        String expected = text.substring(0, text.indexOf(stop));
        Run stopped = generate("Hello world", TestModels.greedy(), 30, List.of("zzz-not-there", stop), null);
        assertEquals(DoneReason.STOP, stopped.result().doneReason());
        assertEquals(expected, stopped.text());
        assertFalse(stopped.text().contains(stop));
        assertTrue(stopped.result().evalCount() < 30);
    }

    @Test
    void endOfGenerationTokenStopsAndIsCounted() throws EngineException {
        // The grammar allows exactly "hi", then only an end-of-generation token.
        Run r = generate("Hello", TestModels.greedy(), 50, List.of(), "root ::= \"hi\"");
        assertEquals("hi", r.text());
        assertEquals(DoneReason.STOP, r.result().doneReason());
        int tokens = r.result().context().length - r.result().promptEvalCount(); // generated, EOG excluded
        assertEquals(tokens + 1, r.result().evalCount());
    }

    @Test
    void invalidGrammarIsABadRequest() {
        EngineException e = assertThrows(EngineException.class,
                () -> generate("Hello", TestModels.greedy(), 5, List.of(), "root ::= ("));
        assertEquals(EngineException.Kind.BAD_REQUEST, e.kind());
        assertTrue(model.isAlive());
    }

    @Test
    void cancellationMidGenerationEndsWithinAboutOneToken() throws Exception {
        CancelToken cancel = new CancelToken();
        AtomicInteger seen = new AtomicInteger();
        long[] cancelledAt = new long[1];
        GenerationResult r = model.generate(new GenerationRequest(null, "Hello world", TestModels.greedy(), -1, 4,
                List.of(), null), text -> {
                    if (seen.incrementAndGet() == 5) {
                        cancelledAt[0] = System.nanoTime();
                        cancel.cancel();
                    }
                }, cancel);
        long latency = System.nanoTime() - cancelledAt[0];
        assertEquals(DoneReason.CANCELLED, r.doneReason());
        // The runner checks the flag before every token; what remains is the message's trip (tokens here take
        // ~0.25 ms, so a few more may be sampled while the Cancel frame travels).
        // ~ms on a quiet machine; the bound only catches a cancel that is ignored (a busy CI host stalls threads).
        assertTrue(latency < 2_000_000_000L, "cancel took " + latency / 1_000_000 + " ms");
        assertTrue(r.evalCount() < 5 + 200, "stopped promptly: " + r.evalCount());
        long t = System.nanoTime();
        Run next = generate("Hello world", TestModels.greedy(), 3, List.of(), null);
        assertEquals(3, next.result().evalCount());
        assertTrue(System.nanoTime() - t < 2_000_000_000L);
    }

    @Test
    void aPromptLongerThanTheWindowIsTruncatedAndStillAnswers() throws EngineException {
        String prompt = "the water of the people ".repeat(100);
        int tokens = model.tokenize(prompt, true).length;
        assertTrue(tokens > N_CTX, "prompt tokens " + tokens);
        Run r = generate(prompt, TestModels.greedy(), 3, List.of(), null);
        assertEquals(N_CTX - 1, r.result().promptEvalCount());
        assertEquals(3, r.result().evalCount());
        assertEquals(DoneReason.LENGTH, r.result().doneReason());
    }

    @Test
    void generationGoesOnPastAFullWindowByShifting() throws EngineException {
        Run r = generate("Hello", TestModels.greedy(), N_CTX + 50, List.of(), null);
        assertEquals(N_CTX + 50, r.result().evalCount());
        assertEquals(DoneReason.LENGTH, r.result().doneReason());
    }

    @Test
    void contextContinuesAnEarlierGeneration() throws EngineException {
        Run first = generate("Hello world", TestModels.greedy(), 5, List.of(), null);
        GenerationResult second = model.generate(new GenerationRequest(first.result().context(), " and", TestModels.greedy(),
                3, 4, List.of(), null), t -> {}, new CancelToken());
        int and = model.tokenize(" and", false).length;
        assertEquals(first.result().context().length + and, second.promptEvalCount());
        assertThrows(EngineException.class, () -> model.generate(new GenerationRequest(new int[] {1, 99999}, "x",
                TestModels.greedy(), 3, 4, List.of(), null), t -> {}, new CancelToken()));
    }

    @Test
    void chatTemplates() throws EngineException {
        List<ChatMessage> messages = List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                model.applyChatTemplate(null, messages, true));
        String llama3 = model.applyChatTemplate("llama3", messages, true);
        assertTrue(llama3.contains("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"), llama3);
        EngineException custom = assertThrows(EngineException.class,
                () -> model.applyChatTemplate("{{ messages[0].content }} custom", messages, true));
        assertEquals(EngineException.Kind.BAD_REQUEST, custom.kind());
        assertEquals(EngineException.Kind.BAD_REQUEST, assertThrows(EngineException.class,
                () -> model.applyChatTemplate(null, List.of(), true)).kind());
    }

    @Test
    void concurrentGenerationsAreSerialised() throws Exception {
        List<CompletableFuture<Run>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return generate("Hello world", TestModels.greedy(), 8, List.of(), null);
                } catch (EngineException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        String first = runs.get(0).get().text();
        for (var run : runs) {
            assertEquals(first, run.get().text());
            assertNotNull(run.get().result());
        }
    }
}
