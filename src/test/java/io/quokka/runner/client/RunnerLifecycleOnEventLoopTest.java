package io.quokka.runner.client;

import io.quokka.engine.CancelToken;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadedModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.nio.NioEventLoopGroup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The same lifecycle as the server runs it: events over a Unix socket, read on a Netty NIO event loop
 * ({@link LoopReader}) rather than by a thread per runner.
 */
class RunnerLifecycleOnEventLoopTest extends RunnerLifecycleTest {
    static final NioEventLoopGroup LOOPS = new NioEventLoopGroup(1);

    @Override
    RunnerEngine engine() {
        return new RunnerEngine(TestModels.engine(RunnerEngine.Channel.SOCKET).settings().withEventLoop(LOOPS::next));
    }

    @Test
    void piecesAreDeliveredOnTheEventLoop() throws Exception {
        try (LoadedModel model = load(256, 64)) {
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            GenerationResult r = model.generate(new GenerationRequest(null, "Hello world", TestModels.greedy(), 8, 4,
                    List.of(), null), piece -> onLoop.add(LOOPS.next().inEventLoop()), new CancelToken());
            assertEquals(8, r.evalCount());
            assertFalse(onLoop.isEmpty());
            assertFalse(onLoop.contains(false), "every piece on the loop: " + onLoop);
        }
    }

    @AfterAll
    static void stopLoops() throws InterruptedException {
        LOOPS.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
