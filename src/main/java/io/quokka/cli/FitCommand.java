package io.quokka.cli;

import io.quokka.config.OllamaEnvironmentConfigSource;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.scheduler.memory.ByteSize;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import io.quokka.scheduler.memory.MemoryBudget;
import io.quokka.scheduler.memory.MemoryEstimate;
import io.quokka.scheduler.memory.MemoryGuard;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoredModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code quokka fit MODEL [options]}: prints what loading a model would make resident and whether it fits, so an
 * operator can pick an instance size before deploying. Reads the same environment as the server
 * ({@code OLLAMA_CONTEXT_LENGTH}, {@code OLLAMA_KV_CACHE_TYPE}, {@code OLLAMA_FLASH_ATTENTION},
 * {@code OLLAMA_NUM_PARALLEL}, {@code QUOKKA_MEMORY_LIMIT}, {@code QUOKKA_MEMORY_RESERVE},
 * {@code QUOKKA_MEMORY_CONTEXT_FLOOR}). Exit status: 0 loads (perhaps with a smaller context), 1 refused, 2 usage.
 */
public final class FitCommand {
    /**
     * The idle server's own resident memory (JVM with {@code ./quokka serve}'s flags, after answering requests),
     * counted as used when {@code --memory} names a whole container's size. Measured; see {@code docs/memory.md}.
     */
    static final long SERVER_RESIDENT = 200L * 1024 * 1024;

    private static final String USAGE = """
            usage: quokka fit MODEL [options]
              MODEL                 a model in the store (llama3.2:1b) or a .gguf file
              --ctx N               num_ctx per request (default: the model's num_ctx, else $OLLAMA_CONTEXT_LENGTH or 4096)
              --batch N             num_batch (default 512)
              --parallel N          slots (default $OLLAMA_NUM_PARALLEL or 1)
              --kv-cache-type T     f16, q8_0, q4_0 (default $OLLAMA_KV_CACHE_TYPE or f16)
              --flash-attention     as OLLAMA_FLASH_ATTENTION=1
              --memory SIZE         the container's memory (e.g. 954MiB, 1GiB); the server's own ~200 MiB counts as
                                    used. Default: $QUOKKA_MEMORY_LIMIT, else what this machine has available now
              --models DIR          store root (default $OLLAMA_MODELS or ~/.ollama/models)
            """;

    private FitCommand() {}

    public static void main(String... args) throws Exception {
        System.exit(run(args));
    }

    static int run(String... args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> env = System.getenv();
        String model = args[0];
        Integer ctx = null;
        int batch = 512;
        var ollama = new OllamaEnvironmentConfigSource(); // OLLAMA_* read as the server reads them
        int parallel = Math.max(1, intValue(ollama.getValue("quokka.num-parallel"), 1));
        KvCacheType kv = KvCacheType.parse(ollama.getValue("quokka.kv-cache-type")).orElse(KvCacheType.F16);
        boolean flash = Boolean.parseBoolean(ollama.getValue("quokka.flash-attention"));
        String memory = null;
        Path models = ToyCommand.defaultStore();
        try {
            for (int i = 1; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--flash-attention")) {
                    flash = true;
                    continue;
                }
                if (i + 1 >= args.length) return usage("missing value for " + flag);
                String value = args[++i];
                switch (flag) {
                    case "--ctx" -> ctx = Integer.parseInt(value);
                    case "--batch" -> batch = Integer.parseInt(value);
                    case "--parallel" -> parallel = Integer.parseInt(value);
                    case "--kv-cache-type" -> kv = KvCacheType.parse(value)
                            .orElseThrow(() -> new IllegalArgumentException("unknown kv cache type " + value));
                    case "--memory" -> memory = value;
                    case "--models" -> models = Path.of(value);
                    default -> {
                        return usage("unknown option " + flag);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }

        Path file;
        Object paramCtx = null;
        Path asFile = Path.of(model);
        if (model.endsWith(".gguf") && Files.isRegularFile(asFile)) {
            file = asFile;
        } else {
            StoredModel m = new OllamaStore(models).find(ModelName.parse(model)).orElse(null);
            if (m == null) {
                System.err.println("quokka fit: model '" + model + "' not found in " + models);
                return 2;
            }
            file = m.modelBlob();
            paramCtx = m.params().get("num_ctx");
            if (m.params().get("num_batch") instanceof Number n) batch = n.intValue();
        }
        GgufFile gguf = GgufReader.read(file);
        if (ctx == null) {
            ctx = paramCtx instanceof Number n ? n.intValue() : intValue(ollama.getValue("quokka.context-length"), 4096);
        }
        long trained = gguf.contextLength();
        if (trained > 0 && ctx > trained) ctx = (int) trained;

        long reserve = ByteSize.parse(env.getOrDefault("QUOKKA_MEMORY_RESERVE", "64MiB"));
        int floor = intValue(env.get("QUOKKA_MEMORY_CONTEXT_FLOOR"), 512);
        String limitText = memory != null ? memory : env.get("QUOKKA_MEMORY_LIMIT");
        MemoryBudget budget;
        String where;
        if (limitText != null && !limitText.isBlank()) {
            long limit = ByteSize.parse(limitText);
            budget = new MemoryBudget(MemoryBudget.Sources.system(), OptionalLong.of(limit), reserve, () -> SERVER_RESIDENT);
            where = "%s limit, less the server (~%s) and the %s reserve".formatted(ByteSize.human(limit),
                    ByteSize.human(SERVER_RESIDENT), ByteSize.human(reserve));
        } else {
            budget = MemoryBudget.system(OptionalLong.empty(), reserve);
            where = null;
        }
        MemoryBudget.Available available = budget.available(0);
        if (where == null) where = "%s now, less the %s reserve".formatted(available.source(), ByteSize.human(reserve));
        // the engine a server started here would load (the current one when found, else b4916)
        var calibration = io.quokka.runner.llamacpp.EngineDir.resolve(System.getenv()).isPresent()
                ? MemoryEstimate.Calibration.V050 : MemoryEstimate.Calibration.B4916;
        MemoryGuard guard = new MemoryGuard(budget, p -> gguf, new MemoryGuard.Settings(true, floor, () -> calibration));
        LoadRequest load = new LoadRequest(file, ctx * parallel, batch, 1, parallel, true, flash, kv);
        MemoryEstimate e = guard.estimate(gguf, load.numCtx(), batch, kv, flash);

        System.out.printf("model     %s (%s, %s parameters, %s)%n", model, gguf.architecture().orElse("?"),
                gguf.parameterSize(), gguf.quantizationLevel());
        System.out.printf("options   num_ctx %d%s, num_batch %d, kv cache %s, flash attention %s%n", ctx,
                parallel > 1 ? " x " + parallel + " slots" : "", e.batch(), lower(e.kvCacheType()), flash ? "on" : "off");
        System.out.printf("  weights   %10s%n", ByteSize.human(e.weights()));
        System.out.printf("  kv cache  %10s%n", ByteSize.human(e.kvCache()));
        System.out.printf("  compute   %10s%n", ByteSize.human(e.compute()));
        System.out.printf("  runtime   %10s   (the runner process)%n", ByteSize.human(e.runtime()));
        System.out.printf("  total     %10s%n", ByteSize.human(e.total()));
        System.out.printf("available %s (%s)%n", ByteSize.human(available.bytes()), where);
        System.out.println("by context:");
        for (long c = 512; c < Math.max(ctx, trained > 0 ? trained : ctx) * 2L && c <= 1 << 20; c *= 2) {
            if (trained > 0 && c > trained) break;
            MemoryEstimate at = guard.estimate(gguf, (int) c * parallel, batch, kv, flash);
            System.out.printf("  num_ctx %7d  %10s%s%n", c, ByteSize.human(at.total()),
                    at.total() <= available.bytes() ? "" : "  (does not fit)");
        }
        try {
            MemoryGuard.Plan plan = guard.plan(gguf, load, available);
            if (plan.shrunk()) {
                System.out.printf("fits      only with a smaller context: num_ctx %d (asked %d), %s%n",
                        plan.load().numCtx() / parallel, ctx, ByteSize.human(plan.estimate().total()));
            } else {
                System.out.printf("fits      yes, at num_ctx %d%n", ctx);
            }
            return 0;
        } catch (InsufficientMemoryException refused) {
            System.out.printf("fits      no: %s%n", refused.getMessage());
            return 1;
        }
    }

    private static String lower(KvCacheType kv) {
        return kv.name().toLowerCase(Locale.ROOT);
    }

    private static int usage(String message) {
        System.err.println("quokka fit: " + message);
        System.err.print(USAGE);
        return 2;
    }

    private static int intValue(String v, int fallback) {
        try {
            return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
