package io.quokka.runner.client;

import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.SamplingParams;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Generated toy models and an engine for the runner tests; files are written once per build directory. */
final class TestModels {
    private TestModels() {}

    static final Path DIR = Path.of("target", "runner-test").toAbsolutePath();

    /** The gguf package's tiny model: 512 tokens, n_embd 128, 2 layers, Q8_0, ChatML; loads in milliseconds. */
    static synchronized Path tiny() {
        return model("tiny.gguf", ToyModelSpec.tiny());
    }

    static synchronized Path model(String name, ToyModelSpec spec) {
        Path file = DIR.resolve("models").resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), name, ".tmp");
                ToyModel.write(spec, tmp);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RunnerEngine engine() {
        return engine(RunnerEngine.Channel.STDIO);
    }

    static RunnerEngine engine(RunnerEngine.Channel channel) {
        return new RunnerEngine(RunnerEngine.Settings.defaults(DIR.resolve("work")).withLoadTimeout(Duration.ofMinutes(1))
                .withChannel(channel));
    }

    static LoadRequest request(Path model, int numCtx, int numBatch) {
        return new LoadRequest(model, numCtx, numBatch, 2, 1, true, false, KvCacheType.F16);
    }

    static SamplingParams greedy() {
        return new SamplingParams(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 0);
    }

    static SamplingParams seeded(long seed) {
        return new SamplingParams(0.8f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, seed);
    }
}
