package io.quokka.api;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A directory tree made read-only for a test, as a read-only volume would be. Root ignores permission bits, so as
 * root every file and directory is made immutable ({@code chattr +i}, undone with {@code chattr -i}); otherwise the
 * write bits are removed (and put back). Either way a write is tried before the tree counts as read-only: a tree that
 * stays writable fails the test rather than skipping it.
 */
public final class ReadOnlyTree implements AutoCloseable {
    private final Path root;
    private final boolean immutable;
    private final Map<Path, Set<PosixFilePermission>> permissions;

    private ReadOnlyTree(Path root, boolean immutable, Map<Path, Set<PosixFilePermission>> permissions) {
        this.root = root;
        this.immutable = immutable;
        this.permissions = permissions;
    }

    /** Makes {@code root} and everything under it read-only; fails the test when no way works. */
    public static ReadOnlyTree lock(Path root) throws Exception {
        String why;
        if (isRoot()) {
            String out = run("chattr", "-R", "+i", root.toString());
            ReadOnlyTree tree = new ReadOnlyTree(root, true, Map.of());
            if (tree.refusesWrites()) return tree;
            tree.close();
            why = "chattr +i did not stop writes (" + out.strip() + ")";
        } else {
            Map<Path, Set<PosixFilePermission>> saved = new LinkedHashMap<>();
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.toList()) saved.put(p, Files.getPosixFilePermissions(p));
            }
            ReadOnlyTree tree = new ReadOnlyTree(root, false, saved);
            for (var e : saved.entrySet()) {
                var without = new java.util.HashSet<>(e.getValue());
                without.removeAll(Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_WRITE));
                Files.setPosixFilePermissions(e.getKey(), without);
            }
            if (tree.refusesWrites()) return tree;
            tree.close();
            why = "chmod a-w did not stop writes";
        }
        return fail("cannot make " + root + " read-only: " + why);
    }

    /** Tries a write in each directory a store writes to; true when every one fails. */
    public boolean refusesWrites() {
        for (Path dir : new Path[] {root, root.resolve("blobs"), root.resolve("manifests")}) {
            if (!Files.isDirectory(dir)) continue;
            try {
                Path probe = Files.createTempFile(dir, "probe-", "");
                Files.delete(probe);
                return false;
            } catch (IOException expected) {
                // read-only, as wanted
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        if (immutable) {
            run("chattr", "-R", "-i", root.toString());
        } else {
            for (var e : permissions.entrySet()) Files.setPosixFilePermissions(e.getKey(), e.getValue());
        }
    }

    /** Every path under {@code root} with its kind, and each file's size and SHA-256: what "unchanged" means. */
    public static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(key, "dir");
                } else {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    out.put(key, Files.size(p) + " " + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                }
            }
        }
        return out;
    }

    private static boolean isRoot() throws Exception {
        return run("id", "-u").strip().equals("0");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }
}
