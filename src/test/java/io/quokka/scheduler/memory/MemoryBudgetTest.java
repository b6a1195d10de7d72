package io.quokka.scheduler.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cgroup v2, cgroup v1, /proc/meminfo and QUOKKA_MEMORY_LIMIT, on fixture files. */
class MemoryBudgetTest {
    static final long MIB = 1024 * 1024;
    static final String MEMINFO = """
            MemTotal:       24684084 kB
            MemFree:         1000000 kB
            MemAvailable:   20000000 kB
            Cached:          3000000 kB
            """;

    @TempDir
    Path dir;

    MemoryBudget.Sources sources(String selfCgroup, String meminfo) throws IOException {
        Files.writeString(dir.resolve("self-cgroup"), selfCgroup);
        Files.writeString(dir.resolve("meminfo"), meminfo);
        return new MemoryBudget.Sources(dir.resolve("cg"), dir.resolve("self-cgroup"), dir.resolve("meminfo"));
    }

    void write(String path, String content) throws IOException {
        Path p = dir.resolve("cg").resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    MemoryBudget budget(MemoryBudget.Sources s, long reserve) {
        return new MemoryBudget(s, OptionalLong.empty(), reserve, () -> { throw new AssertionError("not used"); });
    }

    @Test
    void cgroupV2LimitLessCurrentLessInactiveFileLessReserve() throws IOException {
        var s = sources("0::/\n", MEMINFO);
        write("memory.max", "1000341504\n"); // 954 MiB
        write("memory.current", "314572800\n"); // 300 MiB
        write("memory.stat", "anon 200000000\nfile 100000000\ninactive_file 104857600\nactive_file 0\n"); // 100 MiB
        var a = budget(s, 64 * MIB).available(0);
        assertEquals("cgroup v2", a.source());
        assertEquals(1000341504L, a.limit());
        assertEquals(200 * MIB, a.used());
        assertEquals((954 - 200 - 64) * MIB, a.bytes());
        // a resident runner that will be replaced gives its memory back
        assertEquals((954 - 200 - 64 + 150) * MIB, budget(s, 64 * MIB).available(150 * MIB).bytes());
    }

    @Test
    void cgroupV2MaxFallsBackToMeminfo() throws IOException {
        var s = sources("0::/\n", MEMINFO);
        write("memory.max", "max\n");
        write("memory.current", "314572800\n");
        var a = budget(s, 0).available(0);
        assertEquals("meminfo", a.source());
        assertEquals(20000000L * 1024, a.bytes());
    }

    @Test
    void cgroupV2OnAHostUsesTheProcessOwnCgroupPath() throws IOException {
        var s = sources("0::/system.slice/quokka.service\n", MEMINFO);
        write("system.slice/quokka.service/memory.max", String.valueOf(2048 * MIB));
        write("system.slice/quokka.service/memory.current", String.valueOf(512 * MIB));
        var a = budget(s, 0).available(0);
        assertEquals("cgroup v2", a.source());
        assertEquals(1536 * MIB, a.bytes());
    }

    @Test
    void cgroupV1LimitLessUsage() throws IOException {
        var s = sources("12:memory:/\n11:cpu,cpuacct:/\n", MEMINFO);
        write("memory/memory.limit_in_bytes", String.valueOf(1024 * MIB));
        write("memory/memory.usage_in_bytes", String.valueOf(400 * MIB));
        write("memory/memory.stat", "cache 1\nrss 2\ninactive_file 1\ntotal_inactive_file " + 100 * MIB + "\n");
        var a = budget(s, 24 * MIB).available(0);
        assertEquals("cgroup v1", a.source());
        assertEquals(300 * MIB, a.used());
        assertEquals((1024 - 300 - 24) * MIB, a.bytes());
    }

    @Test
    void cgroupV1UnlimitedFallsBackToMeminfo() throws IOException {
        // what this very machine shows: a v1 memory controller without a limit
        var s = sources("4:memory:/process_api/fa09\n0::/\n", MEMINFO);
        write("memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("memory/memory.usage_in_bytes", "485081088\n");
        var a = budget(s, 0).available(0);
        assertEquals("meminfo", a.source());
        assertEquals(20000000L * 1024, a.bytes());
    }

    @Test
    void theHostsFreeMemoryBoundsAGenerousCgroupLimit() throws IOException {
        var s = sources("0::/\n", "MemTotal: 2000000 kB\nMemAvailable: 102400 kB\n"); // 100 MiB free on the host
        write("memory.max", String.valueOf(4096 * MIB));
        write("memory.current", String.valueOf(100 * MIB));
        assertEquals(100 * MIB, budget(s, 0).available(0).bytes());
    }

    @Test
    void meminfoWithoutMemAvailableUsesFreePlusCached() throws IOException {
        var s = sources("", "MemTotal: 2000000 kB\nMemFree: 1000 kB\nCached: 1048 kB\n");
        assertEquals(2048 * 1024, budget(s, 0).available(0).bytes());
    }

    @Test
    void nothingToReadIsPlentyNotZero() {
        var s = new MemoryBudget.Sources(dir.resolve("none"), dir.resolve("none"), dir.resolve("none"));
        var a = budget(s, 0).available(0);
        assertEquals("unknown", a.source());
        assertEquals(Long.MAX_VALUE / 4, a.bytes());
    }

    @Test
    void aConfiguredLimitReplacesDetectionAndCountsTheProcessTree() throws IOException {
        var s = sources("0::/\n", MEMINFO);
        write("memory.max", String.valueOf(4096 * MIB));
        write("memory.current", "0");
        var b = new MemoryBudget(s, OptionalLong.of(ByteSize.parse("954MiB")), 64 * MIB, () -> 150 * MIB);
        var a = b.available(0);
        assertEquals("QUOKKA_MEMORY_LIMIT", a.source());
        assertEquals((954 - 150 - 64) * MIB, a.bytes());
        assertEquals((954 - 64) * MIB, b.available(150 * MIB).bytes());
        assertEquals(0, new MemoryBudget(s, OptionalLong.of(100 * MIB), 64 * MIB, () -> 150 * MIB).available(0).bytes());
    }

    @Test
    void sizes() {
        assertEquals(954 * MIB, ByteSize.parse("954MiB"));
        assertEquals(1536 * MIB, ByteSize.parse("1.5GiB"));
        assertEquals(1536 * MIB, ByteSize.parse("1.5g"));
        assertEquals(2_000_000_000L, ByteSize.parse("2GB"));
        assertEquals(1048576, ByteSize.parse("1048576"));
        assertEquals(512, ByteSize.parse(" 512 B "));
        assertEquals(64 * 1024, ByteSize.parse("64KiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("12 parsecs"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1GiB"));
        // Ollama's format.HumanBytes2
        assertEquals("954.0 MiB", ByteSize.human(954 * MIB));
        assertEquals("1.4 GiB", ByteSize.human(1471 * MIB));
        assertEquals("12.5 KiB", ByteSize.human(12800));
        assertEquals("1023 B", ByteSize.human(1023));
        assertEquals("model requires more system memory (1.4 GiB) than is available (954.0 MiB)",
                new InsufficientMemoryException(1471 * MIB, 954 * MIB).getMessage());
    }
}
