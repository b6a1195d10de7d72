package io.quokka.runner.client;

import io.quokka.runner.RunnerMain;
import io.quokka.runner.llamacpp.EngineDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Which architectures an engine loads, asked of the engine itself: a runner started with {@code --architectures}
 * lists what its llama.cpp's own architecture table holds. Asked once per engine library and process (and kept in
 * the work directory across restarts), so that a model of an architecture the engine lacks is refused before a
 * runner starts for it. Empty when the engine cannot say: then nothing is refused on that ground, and llama.cpp's
 * own load error speaks instead.
 */
final class EngineArchitectures {
    private static final Logger LOG = Logger.getLogger("io.quokka.runner");
    private static final Map<String, Set<String>> KNOWN = new ConcurrentHashMap<>();

    private EngineArchitectures() {}

    static Set<String> of(EngineLibrary engine, List<String> jvmOptions, Path cacheDir) {
        String key = key(engine.path());
        return KNOWN.computeIfAbsent(key, k -> readOrAsk(engine, jvmOptions, cacheDir.resolve("architectures-" + k)));
    }

    /** The library's identity: its path, size and modification time (a rebuilt engine is asked again). */
    private static String key(Path library) {
        Path file = Files.isDirectory(library) ? library.resolve("libllama." + EngineDir.RELEASE + ".so") : library;
        long size = 0;
        long modified = 0;
        try {
            size = Files.size(file);
            modified = Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            // asked again next time
        }
        return Integer.toHexString((library.toAbsolutePath() + "|" + size + "|" + modified).hashCode());
    }

    private static Set<String> readOrAsk(EngineLibrary engine, List<String> jvmOptions, Path cache) {
        try {
            if (Files.isRegularFile(cache)) return Set.copyOf(Files.readAllLines(cache));
        } catch (IOException e) {
            // ask
        }
        Set<String> names = ask(engine, jvmOptions);
        if (!names.isEmpty()) {
            try {
                Files.createDirectories(cache.getParent());
                Path tmp = Files.createTempFile(cache.getParent(), "architectures", ".tmp");
                Files.write(tmp, new TreeSet<>(names));
                Files.move(tmp, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                LOG.debugf("cannot keep the engine's architectures in %s: %s", cache, e);
            }
        }
        return names;
    }

    private static Set<String> ask(EngineLibrary engine, List<String> jvmOptions) {
        List<String> command = new ArrayList<>(RunnerEngine.launchCommand(jvmOptions));
        command.add(RunnerMain.ARCHITECTURES);
        command.add(engine.path().toString());
        long started = System.nanoTime();
        Path listing = null;
        try {
            listing = Files.createTempFile("quokka-architectures", ".txt");
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(listing.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                LOG.warnf("llama.cpp %s did not list its architectures; models are not checked against them",
                        engine.release());
                return Set.of();
            }
            Set<String> names = new TreeSet<>();
            for (String line : Files.readAllLines(listing, StandardCharsets.UTF_8)) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("release ")) names.add(line);
            }
            LOG.debugf("llama.cpp %s loads %d architectures (asked in %d ms)", engine.release(), names.size(),
                    (System.nanoTime() - started) / 1_000_000);
            return Set.copyOf(names);
        } catch (IOException e) {
            LOG.warnf("cannot ask llama.cpp %s for its architectures: %s", engine.release(), e);
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        } finally {
            if (listing != null) {
                try {
                    Files.deleteIfExists(listing);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }
}
