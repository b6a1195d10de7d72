package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Runner processes starting, failing, dying and ending. */
class RunnerLifecycleTest {
    /** The engine under test: runners over pipes, their events read by a thread per runner. */
    RunnerEngine engine() {
        return TestModels.engine();
    }

    LoadedModel load(int numCtx, int numBatch) throws EngineException {
        return engine().load(TestModels.request(TestModels.tiny(), numCtx, numBatch));
    }

    static boolean exits(long pid) throws Exception {
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) return true;
        try {
            handle.get().onExit().get(10, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Test
    void killedRunnerFailsTheGenerationAndANewLoadWorks() throws Exception {
        LoadedModel model = load(256, 64);
        CountDownLatch streaming = new CountDownLatch(3);
        AtomicInteger pieces = new AtomicInteger();
        CompletableFuture<GenerationResult> gen = CompletableFuture.supplyAsync(() -> {
            try {
                return model.generate(new GenerationRequest(null, "Hello world", TestModels.greedy(), -1, 4, List.of(),
                        null), t -> {
                            pieces.incrementAndGet();
                            streaming.countDown();
                        }, new CancelToken());
            } catch (EngineException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertTrue(streaming.await(10, TimeUnit.SECONDS));
        ProcessHandle.of(model.pid()).orElseThrow().destroyForcibly(); // SIGKILL
        var thrown = assertThrows(java.util.concurrent.ExecutionException.class, () -> gen.get(10, TimeUnit.SECONDS));
        EngineException e = (EngineException) thrown.getCause();
        assertEquals(EngineException.Kind.RUNNER_FAILED, e.kind());
        assertTrue(e.getMessage().startsWith("llama runner process has terminated: signal: killed"), e.getMessage());
        assertTrue(pieces.get() >= 3);
        assertFalse(model.isAlive());
        long t = System.nanoTime();
        assertEquals(EngineException.Kind.RUNNER_FAILED,
                assertThrows(EngineException.class, () -> model.tokenize("x", true)).kind());
        assertTrue(System.nanoTime() - t < 100_000_000L, "fails fast");
        model.close();

        try (LoadedModel again = load(256, 64)) {
            assertTrue(again.isAlive());
            assertEquals(2, again.generate(new GenerationRequest(null, "Hello", TestModels.greedy(), 2, 4, List.of(),
                    null), x -> {}, new CancelToken()).evalCount());
        }
    }

    @Test
    void anAbortedRunnerIsReportedWithItsExitStatus() throws Exception {
        LoadedModel model = load(256, 64);
        // what llama.cpp's abort() does to the process (the JVM does not handle SIGABRT)
        new ProcessBuilder("kill", "-ABRT", Long.toString(model.pid())).start().waitFor();
        assertTrue(exits(model.pid()));
        EngineException e = assertThrows(EngineException.class, () -> {
            for (int i = 0; i < 100; i++) { // the reader notices the closed channel within milliseconds
                model.tokenize("x", true);
                Thread.sleep(20);
            }
        });
        assertEquals(EngineException.Kind.RUNNER_FAILED, e.kind());
        assertTrue(e.getMessage().startsWith("llama runner process has terminated: exit status 134"), e.getMessage());
        model.close();
    }

    @Test
    void closeEndsTheProcessAndIsIdempotent() throws Exception {
        LoadedModel model = load(256, 64);
        long pid = model.pid();
        model.close();
        assertTrue(exits(pid));
        assertFalse(model.isAlive());
        model.close();
        assertEquals(EngineException.Kind.RUNNER_FAILED,
                assertThrows(EngineException.class, () -> model.tokenize("x", true)).kind());
    }

    @Test
    void runnerExitsWhenTheServerGoesAway() throws Exception {
        RunnerClient model = (RunnerClient) load(256, 64);
        long pid = model.pid();
        model.abandonChannel();
        assertTrue(exits(pid), "runner noticed the closed channel");
        model.close();
    }

    @Test
    void aFileThatIsNoModelFailsToLoad() throws Exception {
        Path bogus = TestModels.DIR.resolve("bogus.gguf");
        Files.createDirectories(bogus.getParent());
        Files.write(bogus, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1, 2, 3});
        EngineException e = assertThrows(EngineException.class,
                () -> engine().load(TestModels.request(bogus, 256, 64)));
        assertEquals(EngineException.Kind.LOAD_FAILED, e.kind());
        assertTrue(e.getMessage().startsWith("invalid GGUF file"), e.getMessage()); // refused before any runner
    }

    @Test
    void aModelOfAnArchitectureTheEngineLacksIsRefusedBeforeARunnerStarts() throws Exception {
        // Valid GGUF, but an architecture llama.cpp does not know: the engine's own list of architectures says so.
        byte[] bytes = Files.readAllBytes(TestModels.tiny());
        byte[] value = "general.architecture\u0008\u0000\u0000\u0000\u0005\u0000\u0000\u0000\u0000\u0000\u0000\u0000llama"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = indexOf(bytes, value);
        assertTrue(at >= 0, "general.architecture = llama in the toy model");
        bytes[at + value.length - 1] = 'b'; // "llamb"
        Path unknown = TestModels.DIR.resolve("unknown-arch.gguf");
        Files.write(unknown, bytes);
        EngineException e = assertThrows(EngineException.class,
                () -> engine().load(TestModels.request(unknown, 256, 64)));
        assertEquals(EngineException.Kind.LOAD_FAILED, e.kind());
        assertTrue(e.getMessage().startsWith("unknown model architecture: 'llamb' (llama.cpp "), e.getMessage());
        assertTrue(e.getMessage().contains(" cannot load it"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void cancellationInsideALongPromptAbortsTheDecode() throws Exception {
        try (LoadedModel model = load(4096, 4096)) {
            String words = "the water of the people call first who may down side been now find ";
            // uncancelled: how long does one ~3,900-token decode take?
            String prompt = fit(model, "Hello " + words, 3900);
            long t = System.nanoTime();
            GenerationResult full = model.generate(new GenerationRequest(null, prompt, TestModels.greedy(), 1, 4,
                    List.of(), null), x -> {}, new CancelToken());
            long fullNanos = System.nanoTime() - t;
            assertEquals(DoneReason.LENGTH, full.doneReason());

            // another prompt (no cached prefix to reuse), cancelled a quarter of the way in
            String other = fit(model, "World " + words, 3900);
            CancelToken cancel = new CancelToken();
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Math.max(1, fullNanos / 4_000_000));
                } catch (InterruptedException ignored) {
                    // cancel now
                }
                cancel.cancel();
            });
            t = System.nanoTime();
            GenerationResult r = model.generate(new GenerationRequest(null, other, TestModels.greedy(), 1, 4,
                    List.of(), null), x -> {}, cancel);
            long cancelledNanos = System.nanoTime() - t;
            System.out.printf("long prompt: %d tokens in %.0f ms; cancelled after %.0f ms%n", full.promptEvalCount(),
                    fullNanos / 1e6, cancelledNanos / 1e6);
            assertEquals(DoneReason.CANCELLED, r.doneReason());
            assertEquals(0, r.evalCount());
            assertTrue(cancelledNanos < fullNanos * 3 / 4, "aborted inside the decode");
            // and the model answers again right away
            assertEquals(1, model.generate(new GenerationRequest(null, "Hello", TestModels.greedy(), 1, 4, List.of(),
                    null), x -> {}, new CancelToken()).evalCount());
        }
    }

    private static String fit(LoadedModel model, String unit, int tokens) throws EngineException {
        int per = model.tokenize(unit, false).length;
        return unit.repeat(tokens / per);
    }
}
