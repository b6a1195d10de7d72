package io.quokka.runner.llamacpp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that creates downcall handles and upcall stubs. A native image can only make the calls whose
 * function descriptors were registered at build time ({@code native/.../reachability-metadata.json}, "foreign"); so
 * every binding goes through here and is recorded, and {@code ForeignMetadataTest} checks the recorded set against
 * that file: a new binding without its registration fails the build, not the native binary at run time.
 */
public final class ForeignCalls {
    private ForeignCalls() {}

    private static final Linker LINKER = Linker.nativeLinker();

    /** A descriptor with the linker options it was bound with ({@code captureCallState} is the only one used). */
    public record Binding(FunctionDescriptor descriptor, boolean capturesCallState) {}

    private static final Set<Binding> DOWNCALLS = ConcurrentHashMap.newKeySet();
    private static final Set<Binding> UPCALLS = ConcurrentHashMap.newKeySet();

    public static MethodHandle downcall(MemorySegment symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        DOWNCALLS.add(new Binding(descriptor, options.length > 0));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A downcall to a C library function (libc: {@code dup}, {@code write}, {@code _exit}...). */
    public static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol missing: " + name));
        return downcall(symbol, descriptor, options);
    }

    public static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor, Arena arena) {
        UPCALLS.add(new Binding(descriptor, false));
        return LINKER.upcallStub(target, descriptor, arena);
    }

    /** Every downcall descriptor bound so far in this process. */
    public static List<Binding> downcalls() {
        return List.copyOf(DOWNCALLS);
    }

    /** Every upcall descriptor bound so far in this process. */
    public static List<Binding> upcalls() {
        return List.copyOf(UPCALLS);
    }
}
