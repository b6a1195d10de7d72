package io.quokka.cli;

import io.quokka.config.OllamaEnvironmentConfigSource;
import io.quokka.gguf.TensorType;
import io.quokka.store.ModelName;
import io.quokka.store.StoredModel;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code quokka toy NAME [options]}: writes a generated llama-architecture model with seeded random weights into
 * the store ({@code OLLAMA_MODELS}), so applications can run their CI against a real Ollama-compatible server
 * offline. Its text is gibberish; its cost is that of a real model of the same shape.
 */
public final class ToyCommand {
    private static final String USAGE = """
            usage: quokka toy NAME [options]
              --vocab N      tokens in the vocabulary (default 512)
              --embd N       embedding length (default 128)
              --layers N     transformer blocks (default 2)
              --heads N      attention heads (default 4)
              --kv-heads N   key/value heads (default 2)
              --ff N         feed-forward length (default 256)
              --ctx N        trained context length (default 2048)
              --type T       weights: f32, f16, q8_0, q4_0 (default q8_0)
              --seed N       weight seed (default 42)
              --models DIR   store root (default $OLLAMA_MODELS or ~/.ollama/models)
            """;

    private ToyCommand() {}

    public static void main(String... args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        ModelName name = ModelName.parse(args[0]);
        ToyModelSpec base = ToyModelSpec.tiny();
        int vocab = base.vocabSize(), embd = base.embeddingLength(), layers = base.blockCount();
        int heads = base.headCount(), kvHeads = base.headCountKv(), ff = base.feedForwardLength();
        int ctx = base.contextLength();
        long seed = base.seed();
        TensorType type = base.weightType();
        Path models = defaultStore();
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) fail("missing value for " + flag);
            String value = args[++i];
            switch (flag) {
                case "--vocab" -> vocab = Integer.parseInt(value);
                case "--embd" -> embd = Integer.parseInt(value);
                case "--layers" -> layers = Integer.parseInt(value);
                case "--heads" -> heads = Integer.parseInt(value);
                case "--kv-heads" -> kvHeads = Integer.parseInt(value);
                case "--ff" -> ff = Integer.parseInt(value);
                case "--ctx" -> ctx = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--type" -> type = TensorType.valueOf(value.toUpperCase(Locale.ROOT));
                case "--models" -> models = Path.of(value);
                default -> fail("unknown option " + flag);
            }
        }
        ToyModelSpec spec = new ToyModelSpec(name.displayShortest(), vocab, embd, layers, heads, kvHeads, ff, ctx, type,
                seed, ToyModelSpec.CHATML);
        StoredModel stored = ToyInstaller.install(models, name, spec);
        System.out.printf("wrote %s (%s, %d bytes) into %s%n", stored.name().displayShortest(),
                stored.config().modelType(), stored.size(), models);
    }

    /** The store Ollama would use: {@code OLLAMA_MODELS}, else {@code ~/.ollama/models}. */
    public static Path defaultStore() {
        String env = new OllamaEnvironmentConfigSource().getValue("quokka.models");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".ollama", "models");
    }

    private static void fail(String message) {
        System.err.println("quokka toy: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
