package io.quokka.runner.llamacpp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Keeps a stdout protocol channel safe from native code. llama.cpp, ggml or libc may {@code printf} to fd 1 at any
 * time, which would corrupt binary frames; so the runner moves the real stdout to a private descriptor
 * ({@code dup(1)}), points fd 1 at stderr ({@code dup2(2, 1)}) and writes its frames to the private descriptor
 * with {@code write(2)}. Linux/macOS only.
 */
public final class ProtocolStdout {
    private ProtocolStdout() {}

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final int EINTR = 4;
    private static final MethodHandle DUP = libc("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = libc("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // ssize_t write(int fd, const void * buf, size_t n), capturing errno to retry on EINTR
    private static final MethodHandle WRITE = ForeignCalls.libc("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.captureCallState("errno"));

    /** Moves stdout out of native code's reach and returns a stream onto it. Call once, before loading llama.cpp. */
    public static OutputStream takeOver() throws IOException {
        try {
            int fd = (int) DUP.invokeExact(1);
            if (fd < 0) throw new IOException("dup(1) failed");
            if ((int) DUP2.invokeExact(2, 1) < 0) throw new IOException("dup2(2, 1) failed");
            return new FdOutputStream(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Unbuffered: wrap it in a BufferedOutputStream. */
    private static final class FdOutputStream extends OutputStream {
        private final int fd;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment state = arena.allocate(CALL_STATE);
        private MemorySegment buf = arena.allocate(1 << 16);

        FdOutputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (len > buf.byteSize()) buf = arena.allocate(len);
            MemorySegment.copy(b, off, buf, JAVA_BYTE, 0, len);
            long done = 0;
            while (done < len) {
                long n;
                try {
                    n = (long) WRITE.invokeExact(state, fd, buf.asSlice(done), (long) len - done);
                } catch (Throwable t) {
                    throw new IOException(t);
                }
                if (n < 0) {
                    if ((int) ERRNO.get(state, 0L) == EINTR) continue;
                    throw new IOException("write to the server failed, errno " + (int) ERRNO.get(state, 0L));
                }
                done += n;
            }
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor d) {
        return ForeignCalls.libc(name, d);
    }
}
