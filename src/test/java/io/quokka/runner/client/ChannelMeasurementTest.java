package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Measures both runner channels (printed; the numbers in the report come from here) and checks that both carry
 * the same protocol correctly.
 */
class ChannelMeasurementTest {

    @ParameterizedTest
    @EnumSource(RunnerEngine.Channel.class)
    void measure(RunnerEngine.Channel channel) throws Exception {
        long spawn = System.nanoTime();
        try (RunnerClient model = (RunnerClient) TestModels.engine(channel)
                .load(TestModels.request(TestModels.tiny(), 512, 64))) {
            long ready = System.nanoTime() - spawn;
            long[] rtt = new long[500];
            for (int i = 0; i < 50; i++) model.ping(); // warm up both ends
            for (int i = 0; i < rtt.length; i++) rtt[i] = model.ping().toNanos();
            Arrays.sort(rtt);

            int n = 400;
            AtomicInteger pieces = new AtomicInteger();
            GenerationRequest request = new GenerationRequest(null, "Hello", TestModels.greedy(), n, 4, List.of(), null);
            model.generate(request, t -> {}, new CancelToken()); // warm up
            long t = System.nanoTime();
            GenerationResult r = model.generate(request, x -> pieces.incrementAndGet(), new CancelToken());
            long wall = System.nanoTime() - t;
            assertEquals(n, r.evalCount());
            long outside = wall - r.promptEvalNanos() - r.evalNanos();
            System.out.printf(
                    "channel %s: spawn->ready %.0f ms (runner says %.0f ms), RSS %d MB; ping RTT median %.1f us, p99 %.1f us;"
                            + " %d tokens (%d pieces): %.0f tok/s in the runner, %.2f ms outside the runner per request%n",
                    channel, ready / 1e6, model.facts().loadNanos() / 1e6, model.residentBytes() >> 20,
                    rtt[rtt.length / 2] / 1e3, rtt[rtt.length * 99 / 100] / 1e3, n, pieces.get(),
                    n / (r.evalNanos() / 1e9), outside / 1e6);
            assertTrue(Duration.ofNanos(rtt[rtt.length / 2]).toMillis() < 50);
        }
    }
}
