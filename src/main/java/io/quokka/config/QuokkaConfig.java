package io.quokka.config;

import io.quokka.runner.client.RunnerEngine;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Quokka's settings. Each defaults to the {@code OLLAMA_*} variable Ollama reads (wired in
 * {@code application.properties}), so an Ollama deployment's environment works unchanged.
 */
@ConfigMapping(prefix = "quokka")
public interface QuokkaConfig {

    /** The model store ({@code OLLAMA_MODELS}, default {@code ~/.ollama/models}). */
    Path models();

    /** How long a model stays loaded after its last request ({@code OLLAMA_KEEP_ALIVE}, Go duration or seconds). */
    @WithDefault("5m")
    String keepAlive();

    /** Default context window ({@code OLLAMA_CONTEXT_LENGTH}), capped at the model's trained context. */
    @WithDefault("4096")
    int contextLength();

    /** Generations at once per model ({@code OLLAMA_NUM_PARALLEL}). */
    @WithDefault("1")
    int numParallel();

    /** Requests allowed to wait ({@code OLLAMA_MAX_QUEUE}); past it, 503. */
    @WithDefault("512")
    int maxQueue();

    /**
     * Models resident at once, each in its own runner ({@code OLLAMA_MAX_LOADED_MODELS}); 0 means Ollama's automatic
     * value, 3 on a CPU. The memory guard still decides whether each fits alongside the others.
     */
    @WithDefault("1")
    int maxLoadedModels();

    /** llama.cpp flash attention ({@code OLLAMA_FLASH_ATTENTION}). */
    @WithDefault("false")
    boolean flashAttention();

    /** KV cache type: f16, q8_0 or q4_0 ({@code OLLAMA_KV_CACHE_TYPE}). */
    @WithDefault("f16")
    String kvCacheType();

    /** How long a model load may take ({@code OLLAMA_LOAD_TIMEOUT}, Go duration or seconds). */
    @WithDefault("5m")
    String loadTimeout();

    /**
     * Models to load at start-up, comma-separated ({@code OLLAMA_PRELOAD_MODELS}); wins over the preload file.
     */
    Optional<String> preloadModels();

    /** A file naming models to load at start-up, one per line, {@code #} comments. Missing file: no preload. */
    @WithDefault("preload-models.txt")
    Path preloadFile();

    /**
     * Keep-alive of the first preloaded model when a request does not say (Go duration or seconds); default
     * forever, so the model an operator preloads stays resident.
     */
    @WithDefault("-1")
    String preloadKeepAlive();

    /**
     * A file of model aliases ({@code QUOKKA_ALIASES_FILE}): one {@code alias = model} a line, {@code #} comments.
     * Relative to the working directory; a missing file means no aliases from a file.
     */
    @WithDefault("aliases.txt")
    Path aliasesFile();

    /**
     * Model aliases, {@code "alias=model,alias=model"} ({@code QUOKKA_ALIASES}); each wins over the file's alias of
     * the same name.
     */
    Optional<String> aliases();

    /**
     * A file of fallback chains ({@code QUOKKA_FALLBACKS_FILE}): one {@code model = alternative, ...} a line, {@code #}
     * comments (see {@code io.quokka.fallback.FallbackChains}). Relative to the working directory; missing = none.
     */
    @WithDefault("fallbacks.txt")
    Path fallbacksFile();

    /** Fallback chains, separated by {@code ;} ({@code QUOKKA_FALLBACKS}); each wins over the file's for its model. */
    Optional<String> fallbacks();

    /** Generate the toy model into an empty store at start-up, so a fresh install answers offline. */
    @WithDefault("true")
    boolean toyDefault();

    /**
     * Quokka's private working directory: the extracted llama.cpp library and runner sockets. Never the shared
     * temp root, whose {@code llama*} files the library deletes.
     */
    @WithDefault("${java.io.tmpdir}/quokka-${user.name}")
    Path workDir();

    /** Extra JVM options for runner processes (JVM mode only), space-separated. */
    Optional<String> runnerJvmOptions();

    /**
     * How runners send their events: {@code socket} (a Unix socket read on the HTTP event loop: one thread wake-up
     * per streamed token) or {@code stdio} (the runner's stdout, read by a thread per runner), for a platform
     * without Unix sockets.
     */
    @WithDefault("socket")
    RunnerEngine.Channel runnerChannel();

    /**
     * What Quokka (the server and its runners together) may use, e.g. {@code 954MiB}, {@code 1.5GiB}, {@code 2GB} or
     * plain bytes ({@code QUOKKA_MEMORY_LIMIT}). Replaces detection (the cgroup v2 or v1 limit, else
     * {@code MemAvailable}); what counts as used is then the resident memory of the server and its runners.
     */
    Optional<String> memoryLimit();

    /** Memory kept back from every budget ({@code QUOKKA_MEMORY_RESERVE}), for the server's own growth and estimate error. */
    @WithDefault("64MiB")
    String memoryReserve();

    /**
     * The smallest context per slot (tokens) the memory guard shrinks {@code num_ctx} to before refusing a load
     * ({@code QUOKKA_MEMORY_CONTEXT_FLOOR}). A request asking for less keeps what it asked.
     */
    @WithDefault("512")
    int memoryContextFloor();

    /**
     * Check every load against the memory budget, shrinking the context or refusing ({@code QUOKKA_MEMORY_GUARD}).
     * Off, every load is attempted; the estimate is still shown by {@code /api/show}.
     */
    @WithDefault("true")
    boolean memoryGuard();

    /**
     * Base of the Hugging Face API and file URLs that {@code hf.co/<user>/<repo>} pulls use ({@code HF_ENDPOINT}, as
     * the Hugging Face tools read it): a mirror, or a loopback server in tests.
     */
    @WithDefault("https://huggingface.co")
    String hfEndpoint();

    /** Keep blobs no manifest references any more after a pull replaces a model ({@code OLLAMA_NOPRUNE}). */
    @WithDefault("false")
    boolean noPrune();

    /**
     * Pull preload models that are missing from the store at start-up ({@code QUOKKA_PRELOAD_PULL}), so an empty
     * volume fetches its model once and reuses it on every later boot.
     */
    @WithDefault("true")
    boolean preloadPull();

    /**
     * The wait after a pull's first failed attempt, doubled after each further one up to 30 s
     * ({@code QUOKKA_PULL_RETRY_BACKOFF}; Ollama waits 1 s).
     */
    @WithDefault("1s")
    java.time.Duration pullRetryBackoff();
}
