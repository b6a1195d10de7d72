package io.quokka.runner.client;

import io.quokka.gguf.ModelCheck;
import io.quokka.runner.llamacpp.EngineDir;
import io.quokka.runner.llamacpp.NativeLibrary;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The llama.cpp the runners load: release v0.5.0 from its directory when {@link EngineDir} finds one, else build
 * b4916 bundled in {@code de.kherud:llama}, extracted into the server's work directory. Chosen once per server and
 * said once in its log, with how to get the current engine when the old one runs.
 *
 * @param path    what the runner is given: the release's directory, or b4916's {@code libjllama.so}
 * @param release {@code v0.5.0} or {@code b4916}
 */
record EngineLibrary(Path path, String release) {
    private static final Logger LOG = Logger.getLogger("io.quokka.runner");

    static final String B4916 = "b4916";

    /** Where the current engine comes from and how to choose: said when b4916 runs, and in its refusals. */
    static final String HOW_TO_GET_CURRENT = "the current engine (llama.cpp " + EngineDir.RELEASE + ") loads it:"
            + " start Quokka with ./quokka serve on a machine with npm (it fetches the engine once), or set "
            + EngineDir.DIR_ENV + " to a build of that release; see docs/engine.md";

    static EngineLibrary choose(Path workLib, Map<String, String> env) {
        var current = EngineDir.resolve(env);
        if (current.isPresent()) {
            LOG.infof("llama.cpp %s from %s runs the models", EngineDir.RELEASE, current.get());
            return new EngineLibrary(current.get(), EngineDir.RELEASE);
        }
        Path library = NativeLibrary.locate(workLib);
        if (B4916.equals(env.get(EngineDir.ENGINE_ENV))) {
            LOG.infof("llama.cpp b4916 (bundled) runs the models, as %s=b4916 asks", EngineDir.ENGINE_ENV);
        } else {
            LOG.infof("llama.cpp b4916 (bundled) runs the models: it cannot load qwen3, gemma 3n/4, gpt-oss,"
                    + " granite 4 and other architectures of the last year; %s", HOW_TO_GET_CURRENT);
        }
        return new EngineLibrary(library, B4916);
    }

    /** The engine as {@link ModelCheck} knows it, with the architectures it reported ({@code known}). */
    ModelCheck.Engine describe(java.util.Set<String> known) {
        return new ModelCheck.Engine("llama.cpp " + release, known, B4916.equals(release) ? HOW_TO_GET_CURRENT : "");
    }
}
