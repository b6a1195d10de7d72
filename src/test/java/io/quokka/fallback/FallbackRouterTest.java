package io.quokka.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quokka.engine.CancelToken;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.TokenListener;
import io.quokka.fallback.upstream.UpstreamClient;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.Fallback;
import io.quokka.generation.GenerationCommand;
import io.quokka.generation.GenerationService;
import io.quokka.generation.RunStarter;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.Outcome;
import io.quokka.generation.PromptBuilder;
import io.quokka.generation.ResolvedModel;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.ServerBusyException;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which failures move a request down its chain, with fake models (no engine): each trigger, the opt-out, requests'
 * own faults, and never a switch once text reached the client.
 */
class FallbackRouterTest {

    /** How a fake model behaves: fails when claimed, or generates some words and then maybe fails. */
    record Behaviour(Exception onStart, List<String> words, EngineException afterWords) {
        static Behaviour refuses(Exception e) {
            return new Behaviour(e, List.of(), null);
        }

        static Behaviour answers(String... words) {
            return new Behaviour(null, List.of(words), null);
        }

        static Behaviour dies(EngineException e, String... wordsFirst) {
            return new Behaviour(null, List.of(wordsFirst), e);
        }
    }

    final Map<String, Behaviour> models = new java.util.HashMap<>();
    final List<String> started = new ArrayList<>();

    final GenerationService service = new GenerationService(this::resolve, null, new PromptBuilder(),
            new GenerationService.Settings(2048, 1, 1, false, KvCacheType.F16, KeepAlive.fromEnvironment("5m")));

    ResolvedModel resolve(String name) {
        if (!models.containsKey(name)) throw new ModelNotFoundException(name);
        return new ResolvedModel(name, "0", Path.of("/nonexistent/" + name), 0, null, null, Map.of(), List.of(), null);
    }

    final RunStarter local = (prepared, cancel) -> {
        String name = prepared.model().name();
        started.add(name);
        Behaviour b = models.get(name);
        if (b.onStart() instanceof EngineException e) throw e;
        if (b.onStart() instanceof ServerBusyException e) throw e;
        if (b.onStart() instanceof RuntimeException e) throw e;
        return new FakeRun(b, prepared.fallback());
    };

    record FakeRun(Behaviour behaviour, Fallback fallback) implements GenerationService.Run {
        @Override
        public Outcome generate(TokenListener listener) throws EngineException {
            behaviour.words().forEach(listener::onText);
            if (behaviour.afterWords() != null) throw behaviour.afterWords();
            return new Outcome(new GenerationResult(DoneReason.STOP, 1, 1, behaviour.words().size(), 1, new int[0]), 0, 1);
        }

        @Override
        public long loadNanos() {
            return 0;
        }

        @Override
        public void close() {}
    }

    static final EngineException LOAD_FAILED = new EngineException(EngineException.Kind.LOAD_FAILED, "llama.cpp said no");
    static final EngineException DIED = new EngineException(EngineException.Kind.RUNNER_FAILED,
            "llama runner process has terminated");

    GenerationService.Run start(String chain, String model) throws Exception {
        var router = new FallbackRouter(FallbackChains.parse(chain, "test", null), service, local,
                new UpstreamClient(name -> Optional.empty()));
        var command = new GenerationCommand.Chat(model, List.of(new ChatTurn("user", "Hi")), null, null, Map.of(), true);
        return router.start(service.prepare(command), new CancelToken());
    }

    static String text(GenerationService.Run run) throws EngineException {
        StringBuilder text = new StringBuilder();
        try (run) {
            run.generate(text::append);
        }
        return text.toString();
    }

    @Test
    void aMemoryRefusalFallsBackToTheNextModel() throws Exception {
        models.put("big", Behaviour.refuses(new InsufficientMemoryException(3L << 30, 1L << 30)));
        models.put("small", Behaviour.answers("small", " answer"));
        GenerationService.Run run = start("big = small", "big");
        assertEquals(new Fallback("big", "big", "small", "memory"), run.fallback());
        assertEquals("small answer", text(run));
    }

    @Test
    void eachServerSideFailureMovesOnAndTheReasonsAreRecorded() throws Exception {
        models.put("a", Behaviour.refuses(LOAD_FAILED));
        models.put("b", Behaviour.dies(DIED));
        models.put("c", Behaviour.refuses(new ServerBusyException()));
        models.put("d", Behaviour.answers("d"));
        GenerationService.Run run = start("a = missing, b, c, d | on-busy", "a");
        assertEquals(new Fallback("a", "missing", "b", "unavailable"), run.fallback(), "a missing alternative is skipped");
        assertEquals("d", text(run));
        assertEquals(new Fallback("a", "c", "d", "busy"), run.fallback());
        assertEquals(List.of("a", "b", "c", "d"), started);
    }

    @Test
    void aFullQueueFallsBackOnlyWhenTheChainSaysSo() {
        models.put("a", Behaviour.refuses(new ServerBusyException()));
        models.put("b", Behaviour.answers("b"));
        assertThrows(ServerBusyException.class, () -> start("a = b", "a"));
    }

    @Test
    void aRunnerThatDiesAfterTheFirstTokenEndsTheAnswer() throws Exception {
        models.put("a", Behaviour.dies(DIED, "partial"));
        models.put("b", Behaviour.answers("b"));
        GenerationService.Run run = start("a = b", "a");
        List<String> received = new ArrayList<>();
        var e = assertThrows(EngineException.class, () -> run.generate(received::add));
        assertSame(DIED, e);
        assertEquals(List.of("partial"), received, "nothing from another model after the first token");
        assertEquals(List.of("a"), started);
    }

    @Test
    void theRequestsOwnFaultsAndOptedOutRequestsNeverFallBack() throws Exception {
        models.put("a", Behaviour.refuses(new InvalidRequestException("the input length exceeds the context length")));
        models.put("b", Behaviour.answers("b"));
        assertThrows(InvalidRequestException.class, () -> start("a = b", "a"));
        models.put("a", Behaviour.refuses(new EngineException(EngineException.Kind.BAD_REQUEST, "bad grammar")));
        assertThrows(EngineException.class, () -> start("a = b", "a"));

        models.put("a", Behaviour.refuses(LOAD_FAILED));
        var router = new FallbackRouter(FallbackChains.parse("a = b", "test", null), service, local,
                new UpstreamClient(name -> Optional.empty()));
        var command = new GenerationCommand.Chat("a", List.of(new ChatTurn("user", "Hi")), null, null, Map.of(), true);
        assertSame(LOAD_FAILED, assertThrows(EngineException.class,
                () -> router.start(service.prepare(command).withoutFallback(), new CancelToken())));
    }

    @Test
    void anExhaustedChainAnswersWithTheLastFailure() throws Exception {
        models.put("a", Behaviour.refuses(new InsufficientMemoryException(3L << 30, 1L << 30)));
        models.put("b", Behaviour.refuses(LOAD_FAILED));
        assertSame(LOAD_FAILED, assertThrows(EngineException.class, () -> start("a = b", "a")));
        models.put("b", Behaviour.answers("b"));
        assertNull(start("x = y", "b").fallback(), "no chain for b: it answers itself");
    }
}
