package io.quokka.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.SamplingParams;
import io.quokka.runner.llamacpp.NativeLibrary;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp polls the abort callback after every graph node, each poll an upcall into Java while the other compute
 * threads wait at the node's barrier: the engine lets it poll while a prompt is decoded (which a cancel can cut
 * short) and not during generation steps, which are one token long.
 */
class AbortPollingTest {
    @TempDir
    Path dir;

    @Test
    void generationStepsDoNotPollTheAbortCallbackButPromptsDo() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        ToyModel.write(ToyModelSpec.tiny(), model);
        Path library = NativeLibrary.extract(dir.resolve("lib"));
        AtomicLong polls = new AtomicLong();
        try (InProcessEngine engine = InProcessEngine.load(new LoadRequest(model, 256, 64, 1, 1, true, false,
                KvCacheType.F16), library, () -> {
                    polls.incrementAndGet();
                    return false;
                })) {
            SamplingParams d = SamplingParams.defaults();
            SamplingParams greedy = new SamplingParams(0f, d.topK(), d.topP(), d.minP(), d.typicalP(),
                    d.repeatPenalty(), d.repeatLastN(), d.presencePenalty(), d.frequencyPenalty(), 42);
            long before = polls.get();
            GenerationResult shortRun = engine.generate(new GenerationRequest(new int[0],
                    "a prompt of a few tokens", greedy, 2, 4, List.of(), null), piece -> { });
            long perPrompt = polls.get() - before;
            assertTrue(perPrompt > 0, "a prompt's decode polls the abort callback");

            before = polls.get();
            GenerationResult longRun = engine.generate(new GenerationRequest(new int[0],
                    "another prompt of a few tokens", greedy, 60, 4, List.of(), null), piece -> { });
            long perLongRun = polls.get() - before;
            assertTrue(longRun.evalCount() > shortRun.evalCount() + 20, "generated " + longRun.evalCount());
            // Only the prompt's decode polled: 58 more generation steps added nothing (each would add one poll
            // per graph node).
            assertTrue(perLongRun <= perPrompt * 2, perPrompt + " polls for a prompt, " + perLongRun
                    + " for a prompt and " + longRun.evalCount() + " tokens");
        }
    }
}
