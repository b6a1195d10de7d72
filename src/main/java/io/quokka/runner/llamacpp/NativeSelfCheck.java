package io.quokka.runner.llamacpp;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code quokka native-check}: binds every llama.cpp and libc call the runner makes, the way a runner would, and
 * reports. Run on a freshly built native binary (the native build and {@code Dockerfile.native} do), it fails
 * loudly when the binary cannot load the library (resource not embedded, a missing system library such as
 * {@code libgomp.so.1}) or lacks a foreign-call registration, instead of shipping a server whose first model load
 * dies. The JVM test suite calls {@link #bindEverything} to learn which descriptors the metadata must list.
 */
public final class NativeSelfCheck {
    private NativeSelfCheck() {}

    /** Opens the library and creates every downcall handle and upcall stub the runner uses; returns the library. */
    public static Llama bindEverything(Path library) {
        Llama llama = Llama.open(library);
        LlamaEmbedding.open(library);
        try {
            // their static initialisers bind libc's dup/dup2/write/memfd_create/lseek/read/close
            Class.forName(ProtocolStdout.class.getName(), true, NativeSelfCheck.class.getClassLoader());
            Class.forName(StderrCapture.class.getName(), true, NativeSelfCheck.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        try (Arena arena = Arena.ofConfined()) {
            Llama.abortCallback(() -> false, arena);
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
            Path library = NativeLibrary.locate(dir);
            Llama llama = bindEverything(library);
            System.out.printf("native-check ok: %s, %d downcall and %d upcall descriptors bound%n%s%n", library,
                    ForeignCalls.downcalls().size(), ForeignCalls.upcalls().size(), llama.systemInfo());
            System.out.flush();
            if (library.startsWith(dir)) deleteTree(dir); // mapped already: removing the file is safe
            Llama.exitNow(0);
        } catch (Throwable t) {
            System.err.println("native-check FAILED: the llama.cpp library cannot be used by this binary");
            t.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
    }
}
