package io.quokka.runner;

import io.quokka.runner.llamacpp.EngineDir;
import io.quokka.runner.llamacpp.ForeignCalls;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.NativeLibrary;
import io.quokka.runner.llamacpp.ProtocolStdout;
import io.quokka.runner.llamacpp.StderrCapture;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code quokka native-check}: binds every llama.cpp and libc call the runner makes, the way a runner would, and
 * reports. Run on a freshly built native binary (the native build and {@code Dockerfile.native} do), it fails
 * loudly when the binary cannot load the engine (a missing system library such as {@code libgomp.so.1}, an engine
 * directory without the release) or lacks a foreign-call registration, instead of shipping a server whose first
 * model load dies. It checks the engine the server would use: release v0.5.0 when {@link EngineDir} finds it, else
 * b4916. The JVM test suite calls {@link #bindEverything} to learn which descriptors the metadata must list.
 */
public final class NativeSelfCheck {
    private NativeSelfCheck() {}

    /** Opens the engine and creates every downcall handle and upcall stub the runner uses; returns the binding. */
    public static LlamaCpp bindEverything(Path library) {
        LlamaCpp llama = NativeEngine.open(library);
        llama.architectures();
        try {
            // their static initialisers bind libc's dup/dup2/write/memfd_create/lseek/read/close
            Class.forName(ProtocolStdout.class.getName(), true, NativeSelfCheck.class.getClassLoader());
            Class.forName(StderrCapture.class.getName(), true, NativeSelfCheck.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        try (Arena arena = Arena.ofConfined()) {
            LlamaCpp.abortCallback(() -> false, arena);
        }
        return llama;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    public static void main(String... args) {
        try {
            Path dir = Files.createTempDirectory("quokka-native-check");
            Path library = EngineDir.resolve(System.getenv()).orElseGet(() -> NativeLibrary.locate(dir));
            LlamaCpp llama = bindEverything(library);
            System.out.printf("native-check ok: llama.cpp %s at %s, %d architectures, %d downcall and %d upcall"
                    + " descriptors bound%n%s%n", llama.release(), library, llama.architectures().size(),
                    ForeignCalls.downcalls().size(), ForeignCalls.upcalls().size(), llama.systemInfo());
            System.out.flush();
            deleteTree(dir); // a library extracted there is mapped already: removing the file is safe
            LlamaCpp.exitNow(0);
        } catch (Throwable t) {
            System.err.println("native-check FAILED: the llama.cpp engine cannot be used by this binary");
            t.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }
}
