package io.quokka.runner.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Captures what native code writes to file descriptor 2 during one call. Some llama.cpp diagnostics bypass
 * {@code llama_log_set} and {@code fprintf(stderr, ...)} directly (the GBNF parser's "error parsing grammar" at
 * b4916, the only sign that a grammar was rejected). fd 2 is pointed at an anonymous in-memory file (not a pipe:
 * a long message would fill a pipe and block the writer) and restored afterwards; the text is also copied to the
 * real stderr so nothing is lost, including other threads' output during the window. Linux only.
 */
public final class StderrCapture {
    private StderrCapture() {}

    private static final MethodHandle MEMFD_CREATE = libc("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle DUP = libc("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = libc("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LSEEK = libc("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Runs {@code call} and returns what was written to fd 2 meanwhile (empty if capturing is impossible). */
    public static synchronized String during(Runnable call) {
        int memfd = -1;
        int saved = -1;
        try (Arena arena = Arena.ofConfined()) {
            memfd = (int) MEMFD_CREATE.invokeExact(arena.allocateFrom("quokka-stderr"), 0);
            if (memfd >= 0) saved = (int) DUP.invokeExact(2);
            if (memfd < 0 || saved < 0 || (int) DUP2.invokeExact(memfd, 2) < 0) {
                call.run();
                return "";
            }
            System.err.flush();
            try {
                call.run();
            } finally {
                int ignored = (int) DUP2.invokeExact(saved, 2);
            }
            long end = (long) LSEEK.invokeExact(memfd, 0L, 0 /* SEEK_SET */);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            MemorySegment buf = arena.allocate(4096);
            long n;
            while ((n = (long) READ.invokeExact(memfd, buf, 4096L)) > 0) {
                bytes.write(buf.asSlice(0, n).toArray(JAVA_BYTE), 0, (int) n);
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            System.err.print(text);
            return text;
        } catch (Throwable t) {
            if (t instanceof Error e) throw e;
            throw new IllegalStateException(t);
        } finally {
            try {
                if (saved >= 0) {
                    int ignored = (int) CLOSE.invokeExact(saved);
                }
                if (memfd >= 0) {
                    int ignored = (int) CLOSE.invokeExact(memfd);
                }
            } catch (Throwable ignored) {
                // nothing sensible to do
            }
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor d) {
        return ForeignCalls.libc(name, d);
    }
}
