package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EmbeddingRequest;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request the runner cannot tokenize fails alone: the runner answers it with an error and goes on serving. The
 * trigger is real: a prompt whose tokens do not fit the runner's Java heap (each "x" is a token of the toy model's
 * vocabulary, so N bytes need 4N bytes of heap for their ids). The heap is pinned small here so that a 4 MB prompt
 * is enough (the default 64 MB heap takes a 16 MB one, which any client may send: the body limit is 100 MB).
 */
@Timeout(180)
class RunnerTokenizeFailureTest {
    static final int HEAP_MB = 16;
    /** Fits the heap as a string (as the command is read) but not as token ids. */
    static final String TOO_MANY_TOKENS = "x".repeat(HEAP_MB / 4 << 20);

    final List<LoadedModel> models = new ArrayList<>();

    @AfterEach
    void close() {
        models.forEach(LoadedModel::close);
    }

    LoadedModel load(int numParallel) throws EngineException {
        List<String> options = new ArrayList<>(RunnerEngine.DEFAULT_JVM_OPTIONS);
        options.add("-Xmx" + HEAP_MB + "m"); // the last one wins
        RunnerEngine engine = new RunnerEngine(TestModels.engine().settings().withJvmOptions(options));
        LoadRequest r = TestModels.request(TestModels.tiny(), 256 * numParallel, 64);
        LoadedModel model = engine.load(new LoadRequest(r.modelFile(), r.numCtx(), r.numBatch(), r.numThread(),
                numParallel, r.useMmap(), r.flashAttention(), r.kvCacheType()));
        models.add(model);
        return model;
    }

    static GenerationRequest request(String prompt, int numPredict) {
        return new GenerationRequest(null, prompt, TestModels.greedy(), numPredict, 4, List.of(), null);
    }

    /** The runner still serves: the same process tokenizes, generates and embeds. */
    static void stillServes(LoadedModel model, long pid) throws Exception {
        assertTrue(model.isAlive(), "the runner lives on");
        assertEquals(pid, model.pid());
        assertTrue(model.tokenize("Hello world", true).length > 1);
        CompletableFuture<GenerationResult> gen = CompletableFuture.supplyAsync(() -> {
            try {
                return model.generate(request("Hello", 3), t -> {}, new CancelToken());
            } catch (EngineException e) {
                throw new CompletionException(e);
            }
        });
        assertEquals(3, gen.get(60, TimeUnit.SECONDS).evalCount());
        assertEquals(1, model.embed(new EmbeddingRequest(List.of("Hello"), true), new CancelToken()).embeddings().size());
    }

    @Test
    void aTokenizeCommandThatFailsFailsAlone() throws Exception {
        LoadedModel model = load(1);
        long pid = model.pid();
        EngineException e = assertThrows(EngineException.class, () -> model.tokenize(TOO_MANY_TOKENS, true));
        assertTrue(e.getMessage().contains("OutOfMemoryError"), e.getMessage());
        assertTrue(!e.getMessage().contains("terminated"), e.getMessage());
        stillServes(model, pid);
    }

    @Test
    void aGenerationWhosePromptCannotBeTokenizedFailsAloneWhileAnotherGenerates() throws Exception {
        LoadedModel model = load(2);
        long pid = model.pid();
        CancelToken endless = new CancelToken();
        java.util.concurrent.atomic.AtomicInteger pieces = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<GenerationResult> other = CompletableFuture.supplyAsync(() -> {
            try {
                return model.generate(request("Go on", -1), t -> pieces.incrementAndGet(), endless);
            } catch (EngineException x) {
                throw new CompletionException(x);
            }
        });
        CompletableFuture<GenerationResult> big = CompletableFuture.supplyAsync(() -> {
            try {
                return model.generate(request(TOO_MANY_TOKENS, 3), t -> {}, new CancelToken());
            } catch (EngineException x) {
                throw new CompletionException(x);
            }
        });
        var thrown = assertThrows(java.util.concurrent.ExecutionException.class, () -> big.get(60, TimeUnit.SECONDS));
        EngineException e = (EngineException) thrown.getCause();
        assertTrue(e.getMessage().contains("OutOfMemoryError"), e.getMessage());
        int before = pieces.get();
        Thread.sleep(300);
        assertTrue(pieces.get() > before, "the other generation goes on");
        endless.cancel();
        assertEquals(DoneReason.CANCELLED, other.get(30, TimeUnit.SECONDS).doneReason());
        stillServes(model, pid);
    }

    @Test
    void anEmbeddingWhoseInputCannotBeTokenizedFailsAlone() throws Exception {
        LoadedModel model = load(1);
        long pid = model.pid();
        EngineException e = assertThrows(EngineException.class,
                () -> model.embed(new EmbeddingRequest(List.of(TOO_MANY_TOKENS), true), new CancelToken()));
        assertTrue(e.getMessage().contains("OutOfMemoryError"), e.getMessage());
        stillServes(model, pid);
    }
}
