package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EmbeddingRequest;
import io.quokka.engine.EmbeddingResult;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.gguf.ValueType;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Embeddings through real runner processes: the tiny toy model as generated (no pooling type: last token), and
 * the same weights declaring MEAN and CLS pooling, which the runner does in Java.
 */
class RunnerEmbeddingTest {
    static final int N_CTX = 256;
    static LoadedModel last, mean, cls;

    @BeforeAll
    static void load() throws EngineException {
        RunnerEngine engine = TestModels.engine();
        last = engine.load(TestModels.request(TestModels.tiny(), N_CTX, 64));
        mean = engine.load(TestModels.request(pooled("tiny-mean.gguf", 1), N_CTX, 64));
        cls = engine.load(TestModels.request(pooled("tiny-cls.gguf", 2), N_CTX, 64));
    }

    @AfterAll
    static void close() {
        for (LoadedModel m : new LoadedModel[] {last, mean, cls}) if (m != null) m.close();
    }

    /** The tiny model's weights with {@code llama.pooling_type} set. */
    static synchronized Path pooled(String name, int poolingType) {
        Path file = TestModels.DIR.resolve("models").resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), name, ".tmp");
                ToyModel.writer(ToyModelSpec.tiny()).put("llama.pooling_type", ValueType.UINT32, poolingType).write(tmp);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EmbeddingResult embed(LoadedModel model, boolean truncate, String... inputs) throws EngineException {
        return model.embed(new EmbeddingRequest(List.of(inputs), truncate), new CancelToken());
    }

    @Test
    void oneVectorPerInputOfNEmbdFloatsWithExactCounts() throws EngineException {
        EmbeddingResult r = embed(last, true, "Hello world", "Why is the sky blue?", "Hello world");
        assertEquals(3, r.embeddings().size());
        for (float[] v : r.embeddings()) {
            assertEquals(128, v.length);
            for (float f : v) assertTrue(Float.isFinite(f));
        }
        int expected = last.tokenize("Hello world", true).length * 2 + last.tokenize("Why is the sky blue?", true).length;
        assertEquals(expected, r.promptEvalCount());
        assertTrue(r.promptEvalNanos() > 0);
        assertArrayEquals(r.embeddings().get(0), r.embeddings().get(2), "same input, same vector");
        assertFalse(Arrays.equals(r.embeddings().get(0), r.embeddings().get(1)), "different inputs differ");
        // deterministic across requests, whatever else was in the batch
        assertArrayEquals(r.embeddings().get(1), embed(last, true, "Why is the sky blue?").embeddings().getFirst());
    }

    @Test
    void clsPoolsTheFirstTokenAndMeanOfOneTokenIsThatToken() throws EngineException {
        // A causal model's first position sees only BOS, so CLS pooling gives the same vector for every input,
        // equal to the last-token embedding of the empty input (just BOS); so does MEAN over that one token.
        float[] bos = embed(last, true, "").embeddings().getFirst();
        EmbeddingResult c = embed(cls, true, "Hello world", "something else entirely");
        assertArrayEquals(bos, c.embeddings().get(0), 1e-5f);
        assertArrayEquals(bos, c.embeddings().get(1), 1e-5f);
        assertArrayEquals(bos, embed(mean, true, "").embeddings().getFirst(), 1e-5f);
    }

    @Test
    void meanPoolingAveragesEveryTokenAcrossBatches() throws EngineException {
        // 150+ tokens with n_batch 64: several decodes. The mean of a causal model's per-token embeddings equals
        // the mean of the last-token embeddings of each prefix (given here as texts that tokenize to prefixes).
        String text = "word ".repeat(150);
        EmbeddingResult m = embed(mean, true, text);
        int n = mean.tokenize(text, true).length;
        assertTrue(n > 64 * 2, "spans several batches: " + n);
        assertEquals(n, m.promptEvalCount());
        float[] v = m.embeddings().getFirst();
        assertFalse(Arrays.equals(v, embed(last, true, text).embeddings().getFirst()));
        // Against prefixes: control tokens are parsed one token each, so these texts are token prefixes.
        List<String> prefixes = List.of("", "<|im_start|>", "<|im_start|><|im_end|>",
                "<|im_start|><|im_end|><|im_start|>");
        String word = prefixes.getLast();
        int[] full = last.tokenize(word, true);
        assertEquals(prefixes.size(), full.length);
        for (String p : prefixes) {
            int[] t = last.tokenize(p, true);
            assertArrayEquals(Arrays.copyOf(full, t.length), t);
        }
        float[] expected = new float[128];
        for (float[] e : embed(last, true, prefixes.toArray(String[]::new)).embeddings()) {
            for (int k = 0; k < 128; k++) expected[k] += e[k] / prefixes.size();
        }
        assertArrayEquals(expected, embed(mean, true, word).embeddings().getFirst(), 1e-4f);
    }

    @Test
    void overLongInputsAreTruncatedOrRefused() throws EngineException {
        String text = "word ".repeat(400);
        assertTrue(last.tokenize(text, true).length > N_CTX);
        EngineException e = assertThrows(EngineException.class, () -> embed(last, false, "short", text));
        assertEquals(EngineException.Kind.BAD_REQUEST, e.kind());
        assertEquals("the input length exceeds the context length", e.getMessage());
        EmbeddingResult r = embed(last, true, text);
        assertEquals(N_CTX, r.promptEvalCount());
    }

    @Test
    void generationIsUnchangedAroundEmbeddings() throws EngineException {
        GenerationRequest g = new GenerationRequest(null, "Hello world", TestModels.greedy(), 16, 4, List.of(), null);
        StringBuilder before = new StringBuilder();
        last.generate(g, before::append, new CancelToken());
        embed(last, true, "Hello world", "other text");
        StringBuilder after = new StringBuilder();
        GenerationResult r = last.generate(g, after::append, new CancelToken());
        assertEquals(before.toString(), after.toString());
        assertEquals(16, r.evalCount());
        assertFalse(after.isEmpty());
        assertTrue(last.isAlive());
    }
}
