package io.quokka.runner.llamacpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the current llama.cpp (release v0.5.0) is, if anywhere: {@code scripts/engine.sh} fetches it into the cache
 * and {@code ./quokka} passes its directory on in {@value #DIR_ENV} (runners inherit the server's environment).
 * Empty means: run llama.cpp b4916 bundled in de.kherud:llama ({@link NativeLibrary}).
 */
public final class EngineDir {
    private EngineDir() {}

    /** A directory holding {@code libllama.v0.5.0.so}, {@code libggml.v0.5.0.so}, {@code libggml-base.so}, backends. */
    public static final String DIR_ENV = "QUOKKA_LLAMA_DIR";
    /** {@code b4916} asks for the bundled engine even when the current one is available. */
    public static final String ENGINE_ENV = "QUOKKA_ENGINE";
    public static final String RELEASE = "v0.5.0";
    /** Written last by {@code scripts/engine.sh} into a directory it unpacked and verified. */
    static final String STAMP = ".quokka-complete";

    /**
     * The directory of the current engine: {@value #DIR_ENV} when set (it must hold the release, else this throws:
     * a wrong directory named on purpose is an error, not a reason to fall back silently), else a native binary's
     * {@code llama.cpp/} next to it, else the cache directory {@code scripts/engine.sh} completed, else empty.
     * Empty too when {@value #ENGINE_ENV}{@code =b4916}.
     */
    public static Optional<Path> resolve(Map<String, String> env) {
        if ("b4916".equals(env.get(ENGINE_ENV))) return Optional.empty();
        String named = env.get(DIR_ENV);
        if (named != null && !named.isBlank()) {
            Path dir = Path.of(named).toAbsolutePath();
            if (!holdsRelease(dir)) {
                throw new IllegalStateException(DIR_ENV + "=" + named + " holds no llama.cpp " + RELEASE
                        + " (libllama." + RELEASE + ".so, libggml." + RELEASE + ".so, libggml-base.so)");
            }
            return Optional.of(dir);
        }
        Path beside = besideNativeBinary();
        if (beside != null && holdsRelease(beside)) return Optional.of(beside);
        Path cached = cacheDir(env);
        if (cached != null && Files.isRegularFile(cached.resolve(STAMP)) && holdsRelease(cached)) {
            return Optional.of(cached);
        }
        return Optional.empty();
    }

    /** A native binary's {@code llama.cpp/} directory next to it (where an image or a tarball puts it), else null. */
    static Path besideNativeBinary() {
        if (!"runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) return null;
        return ProcessHandle.current().info().command().map(Path::of).map(Path::getParent)
                .map(dir -> dir.resolve("llama.cpp")).orElse(null);
    }

    /** Where {@code scripts/engine.sh} unpacks the release for this machine, or null for a platform it has none for. */
    static Path cacheDir(Map<String, String> env) {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) return null;
        String platform = switch (arch) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64", "arm64" -> "linux-arm64";
            default -> null;
        };
        if (platform == null) return null;
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache");
        return base.resolve("quokka").resolve("llama.cpp").resolve(RELEASE).resolve(platform);
    }

    static boolean holdsRelease(Path dir) {
        return Files.isRegularFile(dir.resolve("libllama." + RELEASE + ".so"))
                && Files.isRegularFile(dir.resolve("libggml." + RELEASE + ".so"))
                && Files.isRegularFile(dir.resolve("libggml-base.so"));
    }
}
