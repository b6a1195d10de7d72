package io.quokka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quokka.runner.client.RunnerEngine;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** {@code QUOKKA_RUNNER_CHANNEL} reads as the runner engine's own channel: {@code socket} (default) or {@code stdio}. */
class RunnerChannelConfigTest {

    static RunnerEngine.Channel channel(String value) {
        // Outside Quarkus: what application.properties and Quarkus' converters would give, spelt for plain SmallRye.
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withMapping(QuokkaConfig.class)
                .withDefaultValue("quokka.models", "/nonexistent").withDefaultValue("quokka.pull-retry-backoff", "PT1S");
        if (value != null) builder.withDefaultValue("quokka.runner-channel", value);
        SmallRyeConfig config = builder.build();
        return config.getConfigMapping(QuokkaConfig.class).runnerChannel();
    }

    @Test
    void socketByDefaultAndEitherSpelling() {
        assertEquals(RunnerEngine.Channel.SOCKET, channel(null));
        assertEquals(RunnerEngine.Channel.SOCKET, channel("socket"));
        assertEquals(RunnerEngine.Channel.STDIO, channel("stdio"));
        assertEquals(RunnerEngine.Channel.STDIO, channel("STDIO"));
    }
}
