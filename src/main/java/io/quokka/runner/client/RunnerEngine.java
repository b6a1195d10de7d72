package io.quokka.runner.client;

import io.quokka.engine.Engine;
import io.quokka.engine.EngineException;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import io.quokka.gguf.GgufReader;
import io.quokka.gguf.ModelCheck;
import io.quokka.runner.RunnerMain;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Starts one runner process per loaded model: the same binary in {@code runner} mode (a native image runs
 * itself; a JVM starts a lean child JVM on the same class path), connected over a Unix domain socket. The
 * llama.cpp library is extracted once into {@code workDir} and shared by all runners.
 */
public final class RunnerEngine implements Engine {

    /**
     * How a runner sends its events ({@code QUOKKA_RUNNER_CHANNEL=socket|stdio}; both measured, see
     * {@code docs/runner.md}). Commands always go down its stdin.
     */
    public enum Channel {
        /** The runner's stdout, read by a thread per runner: for a platform whose Unix sockets fail. */
        STDIO,
        /** A Unix domain socket in {@code workDir}/run, read on the HTTP server's event loop (the server's default). */
        SOCKET
    }

    /**
     * Child JVM options: small heap (the weights and KV cache are native memory), serial GC and C1 only (a
     * runner's Java code is a message loop; C2 compilation only costs start-up CPU and RSS), no perf-data file.
     * Measured on the tiny model (spawn to ready / RSS): plain 346-622 ms / 113 MB; these 302-335 ms / 86 MB.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    /**
     * Runner environment. OpenMP threads (ggml's CPU backend) wait at a barrier after every graph node:
     * {@code OMP_WAIT_POLICY=passive} made them sleep at once and cost 10x in generation speed here (~340 vs
     * ~3,800 tok/s on the tiny model); an unbounded spin ({@code active}) burns idle cores. A bounded spin
     * ({@code GOMP_SPINCOUNT}, ~0.1 ms) keeps tokens fast and idle runners asleep.
     */
    public static final Map<String, String> DEFAULT_ENVIRONMENT = Map.of("GOMP_SPINCOUNT", "100000");

    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofMinutes(5);

    /**
     * How runners are started.
     *
     * @param workDir     private directory: the extracted llama.cpp library ({@code lib/}) and sockets ({@code run/})
     * @param jvmOptions  options for a runner JVM (ignored in a native image)
     * @param environment variables added to the runner's environment
     * @param loadTimeout how long a load may take, spawn to ready
     * @param channel     how the server talks to the runner
     * @param eventLoop   with {@link Channel#SOCKET}: the I/O event loop that reads a new runner's events (a
     *                    Netty NIO loop; null or another kind: a reader thread per runner)
     */
    public record Settings(Path workDir, List<String> jvmOptions, Map<String, String> environment, Duration loadTimeout,
            Channel channel, Supplier<Executor> eventLoop) {
        public Settings {
            workDir = workDir.toAbsolutePath();
            jvmOptions = List.copyOf(jvmOptions);
            environment = Map.copyOf(environment);
            Objects.requireNonNull(loadTimeout, "loadTimeout");
            Objects.requireNonNull(channel, "channel");
        }

        public static Settings defaults(Path workDir) {
            return new Settings(workDir, DEFAULT_JVM_OPTIONS, DEFAULT_ENVIRONMENT, DEFAULT_LOAD_TIMEOUT, Channel.STDIO,
                    null);
        }

        public Settings withLoadTimeout(Duration timeout) {
            return new Settings(workDir, jvmOptions, environment, timeout, channel, eventLoop);
        }

        public Settings withChannel(Channel channel) {
            return new Settings(workDir, jvmOptions, environment, loadTimeout, channel, eventLoop);
        }

        /** Runners' events read on the event loops {@code eventLoop} hands out (with {@link Channel#SOCKET}). */
        public Settings withEventLoop(Supplier<Executor> eventLoop) {
            return new Settings(workDir, jvmOptions, environment, loadTimeout, channel, eventLoop);
        }

        public Settings withJvmOptions(List<String> options) {
            return new Settings(workDir, options, environment, loadTimeout, channel, eventLoop);
        }

        public Settings withEnvironment(Map<String, String> environment) {
            return new Settings(workDir, jvmOptions, environment, loadTimeout, channel, eventLoop);
        }
    }

    private final Settings settings;
    private EngineLibrary library;

    public RunnerEngine(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public LoadedModel load(LoadRequest request) throws EngineException {
        if (!Files.isReadable(request.modelFile())) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "model file not readable: " + request.modelFile());
        }
        EngineLibrary engine;
        try {
            engine = library();
        } catch (RuntimeException e) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "cannot prepare the llama.cpp library: " + e, e);
        }
        refuseWhatLlamaCppWould(request.modelFile(), engine);
        Path lib = engine.path();
        Path runDir;
        try {
            runDir = settings.channel() == Channel.SOCKET
                    ? Files.createDirectories(settings.workDir().resolve("run")) : null;
        } catch (RuntimeException | IOException e) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "cannot prepare the llama.cpp library: " + e, e);
        }
        return RunnerLaunch.start(request, lib, runDir, settings);
    }

    /**
     * A structurally valid file that llama.cpp would still refuse (a missing tensor, a shape that contradicts the
     * hyperparameters, no vocabulary, an architecture the engine lacks) fails here with a reason instead of in a
     * runner. It is a failed load, like llama.cpp's refusal: after the memory guard, and a fallback chain may answer
     * instead.
     */
    private void refuseWhatLlamaCppWould(Path modelFile, EngineLibrary engine) throws EngineException {
        try {
            var known = EngineArchitectures.of(engine, settings.jvmOptions(), settings.workDir().resolve("lib"));
            ModelCheck.check(GgufReader.read(modelFile), engine.describe(known));
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, e.getMessage(), e);
        }
    }

    private synchronized EngineLibrary library() {
        if (library == null) {
            // the server's environment, or what these settings give runners (a test choosing b4916, say)
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.putAll(settings.environment());
            library = EngineLibrary.choose(settings.workDir().resolve("lib"), env);
        }
        return library;
    }

    /**
     * Chooses the engine (saying in the log which one runs) and learns its architectures now, on a virtual thread,
     * so that the first load does not wait for either; a failure here is met again, and reported, by that load.
     */
    public void prepareInBackground() {
        Thread.ofVirtual().name("engine-prepare").start(() -> {
            try {
                EngineLibrary engine = library();
                EngineArchitectures.of(engine, settings.jvmOptions(), settings.workDir().resolve("lib"));
            } catch (RuntimeException e) {
                // the first load reports it
            }
        });
    }

    /** The llama.cpp release the runners load ({@code v0.5.0} or {@code b4916}); chooses it if not done yet. */
    public String engineRelease() {
        return library().release();
    }

    /** The command that starts this binary in runner mode (arguments after {@code runner} are appended). */
    static List<String> launchCommand(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.add("runner");
            return cmd;
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(java);
        cmd.addAll(jvmOptions);
        String classPath = System.getProperty("java.class.path");
        if (!classPath.contains(File.pathSeparator) && classPath.endsWith("quarkus-run.jar")) {
            cmd.add("-jar");
            cmd.add(classPath);
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add("io.quokka.QuokkaMain");
        }
        cmd.add("runner");
        return cmd;
    }

    static List<String> runnerArguments(LoadRequest request, Path library, Path socket) {
        return RunnerMain.arguments(request, library, socket);
    }
}
