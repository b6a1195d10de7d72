package io.quokka.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How Quokka behaves under an orchestrator: the liveness watchdog and graceful shutdown. */
@ConfigMapping(prefix = "quokka")
public interface OperationsConfig {

    /**
     * A generation that produces nothing for this long marks the engine wedged ({@code QUOKKA_WATCHDOG}): liveness
     * turns DOWN and the generation's runner is ended so the next request starts a fresh one.
     */
    @WithDefault("5m")
    Duration watchdog();

    /**
     * On SIGTERM, how long generations in flight may run on before they are cancelled ({@code QUOKKA_SHUTDOWN_GRACE}).
     * Keep it under the orchestrator's kill timeout (Kubernetes' default grace period is 30 s).
     */
    @WithDefault("20s")
    Duration shutdownGrace();
}
