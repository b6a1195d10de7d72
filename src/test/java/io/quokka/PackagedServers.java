package io.quokka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The packaged servers one test starts, each stopped after it whatever the test did to them (registered with
 * {@code @RegisterExtension} on an instance field).
 */
final class PackagedServers implements AfterEachCallback {
    private final List<PackagedServer> started = new ArrayList<>();

    /** {@link PackagedServer#start(Path, Map)}, stopped after the test. */
    PackagedServer start(Path log, Map<String, String> env) throws Exception {
        return start(log, env, "health");
    }

    /** {@link PackagedServer#start(Path, Map, String)}, stopped after the test. */
    PackagedServer start(Path log, Map<String, String> env, String readyPath) throws Exception {
        PackagedServer server = PackagedServer.start(log, env, readyPath);
        started.add(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (PackagedServer server : started) server.stop();
        started.clear();
    }
}
