package io.quokka.scheduler.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * How much memory this process may still use: the cgroup v2 limit ({@code memory.max} minus {@code memory.current}),
 * else the cgroup v1 limit ({@code memory.limit_in_bytes} minus {@code memory.usage_in_bytes}), else
 * {@code MemAvailable} from {@code /proc/meminfo}; and never more than {@code MemAvailable}, when the host has
 * less free than the cgroup allows. Page cache the kernel can drop at once ({@code inactive_file}) does not count as
 * used, as {@code docker stats} reckons it. A configured limit ({@code QUOKKA_MEMORY_LIMIT}) replaces detection: it
 * is what the server and its runners together may use, and their resident memory is what is used. A reserve is kept
 * back from every figure.
 */
public final class MemoryBudget {
    /** cgroup v1 reports "no limit" as a huge page-aligned number (0x7FFFFFFFFFFFF000 on x86-64). */
    private static final long V1_UNLIMITED = 1L << 60;

    /** Where the kernel's figures are read from; injectable so tests run on fixture files. */
    public record Sources(Path cgroupRoot, Path selfCgroup, Path meminfo) {
        public static Sources system() {
            return new Sources(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"), Path.of("/proc/meminfo"));
        }
    }

    /**
     * The answer.
     *
     * @param bytes  what a new load may make resident (after the reserve, plus what a replaced runner returns); never negative
     * @param limit  the limit that applies, or -1 when only {@code MemAvailable} is known
     * @param used   what counts as used against {@code limit}, or -1
     * @param source where the figures came from: {@code QUOKKA_MEMORY_LIMIT}, {@code cgroup v2}, {@code cgroup v1}, {@code meminfo}
     */
    public record Available(long bytes, long limit, long used, String source) {}

    private final Sources sources;
    private final OptionalLong configuredLimit;
    private final long reserve;
    private final LongSupplier processTreeResident;

    public MemoryBudget(Sources sources, OptionalLong configuredLimit, long reserve, LongSupplier processTreeResident) {
        this.sources = sources;
        this.configuredLimit = configuredLimit;
        this.reserve = Math.max(0, reserve);
        this.processTreeResident = processTreeResident;
    }

    /** Detection on this machine, with the configured limit and reserve. */
    public static MemoryBudget system(OptionalLong configuredLimit, long reserve) {
        return new MemoryBudget(Sources.system(), configuredLimit, reserve, MemoryBudget::processTreeResident);
    }

    public long reserve() {
        return reserve;
    }

    /** What a new load may use now, counting {@code reclaimable} bytes that a runner to be replaced returns. */
    public Available available(long reclaimable) {
        long back = Math.max(0, reclaimable) - reserve;
        if (configuredLimit.isPresent()) {
            long limit = configuredLimit.getAsLong();
            long used = processTreeResident.getAsLong();
            return new Available(Math.max(0, limit - used + back), limit, used, "QUOKKA_MEMORY_LIMIT");
        }
        OptionalLong memAvailable = memAvailable();
        Optional<Available> cgroup = cgroupV2().or(this::cgroupV1);
        if (cgroup.isPresent()) {
            Available c = cgroup.get();
            long free = c.limit() - c.used();
            if (memAvailable.isPresent()) free = Math.min(free, memAvailable.getAsLong());
            return new Available(Math.max(0, free + back), c.limit(), c.used(), c.source());
        }
        if (memAvailable.isPresent()) {
            return new Available(Math.max(0, memAvailable.getAsLong() + back), -1, -1, "meminfo");
        }
        // Not Linux: nothing to go by. Say "plenty" rather than refuse every load.
        return new Available(Long.MAX_VALUE / 4, -1, -1, "unknown");
    }

    private Optional<Available> cgroupV2() {
        for (Path dir : cgroupDirs("0", "")) {
            Optional<String> max = read(dir.resolve("memory.max"));
            if (max.isEmpty()) continue;
            if (max.get().equals("max")) return Optional.empty();
            OptionalLong current = number(dir.resolve("memory.current"));
            if (current.isEmpty()) return Optional.empty();
            long used = current.getAsLong() - stat(dir.resolve("memory.stat"), "inactive_file");
            return Optional.of(new Available(0, Long.parseLong(max.get()), Math.max(0, used), "cgroup v2"));
        }
        return Optional.empty();
    }

    private Optional<Available> cgroupV1() {
        for (Path dir : cgroupDirs("memory", "memory")) {
            OptionalLong limit = number(dir.resolve("memory.limit_in_bytes"));
            if (limit.isEmpty()) continue;
            if (limit.getAsLong() >= V1_UNLIMITED) return Optional.empty();
            OptionalLong usage = number(dir.resolve("memory.usage_in_bytes"));
            if (usage.isEmpty()) return Optional.empty();
            long inactive = stat(dir.resolve("memory.stat"), "total_inactive_file");
            if (inactive == 0) inactive = stat(dir.resolve("memory.stat"), "inactive_file");
            return Optional.of(new Available(0, limit.getAsLong(), Math.max(0, usage.getAsLong() - inactive), "cgroup v1"));
        }
        return Optional.empty();
    }

    /**
     * Candidate directories for this process's cgroup: the path {@code /proc/self/cgroup} names under the mount
     * (a host), then the mount itself (a container, whose cgroup namespace makes its own cgroup the root).
     */
    private List<Path> cgroupDirs(String controller, String mount) {
        Path base = mount.isEmpty() ? sources.cgroupRoot() : sources.cgroupRoot().resolve(mount);
        String own = null;
        for (String line : read(sources.selfCgroup()).orElse("").split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) continue;
            boolean match = controller.equals("0") ? parts[0].equals("0") && parts[1].isEmpty()
                    : List.of(parts[1].split(",")).contains(controller);
            if (match) own = parts[2];
        }
        if (own == null || own.equals("/") || own.isEmpty()) return List.of(base);
        return List.of(base.resolve(own.substring(1)), base);
    }

    private OptionalLong memAvailable() {
        long available = stat(sources.meminfo(), "MemAvailable:");
        if (available > 0) return OptionalLong.of(available * 1024);
        long free = stat(sources.meminfo(), "MemFree:") + stat(sources.meminfo(), "Cached:");
        return free > 0 ? OptionalLong.of(free * 1024) : OptionalLong.empty();
    }

    /** A "key value" line's value (memory.stat, meminfo), or 0. */
    private static long stat(Path file, String key) {
        for (String line : read(file).orElse("").split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2 && parts[0].equals(key)) {
                try {
                    return Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static OptionalLong number(Path file) {
        try {
            return read(file).map(s -> OptionalLong.of(Long.parseLong(s))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Resident bytes of this process and every process it started (the runners). */
    public static long processTreeResident() {
        long sum = resident(ProcessHandle.current().pid());
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) sum += Math.max(0, resident(child.pid()));
        return sum;
    }

    /** VmRSS of a process in bytes, or -1. */
    public static long resident(long pid) {
        long kb = stat(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
        return kb > 0 ? kb * 1024 : -1;
    }
}
