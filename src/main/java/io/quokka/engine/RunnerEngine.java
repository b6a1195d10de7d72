package io.quokka.engine;

import io.quokka.runner.RunnerMain;
import io.quokka.runner.llamacpp.NativeLibrary;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Starts one runner process per loaded model: the same binary in {@code runner} mode (a native image runs
 * itself; a JVM starts a lean child JVM on the same class path), connected over a Unix domain socket. The
 * llama.cpp library is extracted once into {@code workDir} and shared by all runners.
 */
public final class RunnerEngine implements Engine {

    /** How the server talks to a runner. Both work; the socket keeps the runner's stdout free for stray output. */
    public enum Channel {
        /** A Unix domain socket in {@code workDir}/run (default). */
        UNIX_SOCKET,
        /** The runner's stdin/stdout pipes. */
        STDIO
    }

    /**
     * Child JVM options: small heap (the weights and KV cache are native memory), serial GC and C1 only (a
     * runner's Java code is a message loop; C2 compilation only costs start-up CPU and RSS).
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xmx64m", "-Xss512k", "-XX:TieredStopAtLevel=1");

    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofMinutes(5);

    private final Path workDir;
    private final List<String> jvmOptions;
    private final Duration loadTimeout;
    private final Channel channel;
    private Path library;

    public RunnerEngine(Path workDir) {
        this(workDir, DEFAULT_JVM_OPTIONS, DEFAULT_LOAD_TIMEOUT, Channel.UNIX_SOCKET);
    }

    public RunnerEngine(Path workDir, List<String> jvmOptions, Duration loadTimeout, Channel channel) {
        this.workDir = workDir.toAbsolutePath();
        this.jvmOptions = List.copyOf(jvmOptions);
        this.loadTimeout = Objects.requireNonNull(loadTimeout);
        this.channel = Objects.requireNonNull(channel);
    }

    @Override
    public LoadedModel load(LoadRequest request) throws EngineException {
        if (!Files.isReadable(request.modelFile())) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "model file not readable: " + request.modelFile());
        }
        Path lib;
        Path runDir;
        try {
            lib = library();
            runDir = Files.createDirectories(workDir.resolve("run"));
        } catch (RuntimeException | IOException e) {
            throw new EngineException(EngineException.Kind.LOAD_FAILED, "cannot prepare the llama.cpp library: " + e, e);
        }
        return RunnerClient.start(request, lib, runDir, jvmOptions, loadTimeout, channel);
    }

    private synchronized Path library() {
        if (library == null) library = NativeLibrary.extract(workDir.resolve("lib"));
        return library;
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
