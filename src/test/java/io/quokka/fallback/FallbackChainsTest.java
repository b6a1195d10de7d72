package io.quokka.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.fallback.upstream.Upstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FallbackChainsTest {

    @Test
    void theSeedScenarioParses() {
        FallbackChains chains = FallbackChains.parse("""
                # too big for a 1 GB machine -> smaller -> hosted
                qwen2.5:3b = qwen2.5:0.5b, openai https://api.deepseek.com/v1/ deepseek-chat key=DEEPSEEK_API_KEY
                llama3.2 = ollama http://big-box:11434 llama3.2:8b timeout=2m | on-busy   # a bigger machine
                """, "fallbacks.txt", null);
        assertEquals(List.of(), chains.problems());
        FallbackChain qwen = chains.find("Qwen2.5:3B").orElseThrow();
        assertEquals(new Step.Local("qwen2.5:0.5b"), qwen.steps().get(0));
        Upstream deepseek = ((Step.Remote) qwen.steps().get(1)).upstream();
        assertEquals(Upstream.Api.OPENAI, deepseek.api());
        assertEquals("https://api.deepseek.com/v1", deepseek.baseUrl().toString());
        assertEquals("deepseek-chat", deepseek.model());
        assertEquals("DEEPSEEK_API_KEY", deepseek.apiKeyVariable());
        assertFalse(qwen.onBusy());

        FallbackChain llama = chains.find("nobody", "llama3.2:latest").orElseThrow();
        assertTrue(llama.onBusy());
        Upstream box = ((Step.Remote) llama.steps().getFirst()).upstream();
        assertEquals(Upstream.Api.OLLAMA, box.api());
        assertEquals(Duration.ofMinutes(2), box.timeout());
        assertEquals(Upstream.DEFAULT_TIMEOUT, deepseek.timeout());
    }

    @Test
    void theEnvironmentWinsPerModel() {
        FallbackChains chains = FallbackChains.parse("a = b\nc = d", "f", "a=e, f;x=y|on-busy");
        assertEquals(List.of(new Step.Local("e"), new Step.Local("f")), chains.find("a").orElseThrow().steps());
        assertEquals(List.of(new Step.Local("d")), chains.find("c").orElseThrow().steps());
        assertTrue(chains.find("x").orElseThrow().onBusy());
        assertTrue(chains.find("zzz").isEmpty());
    }

    @Test
    void mistakesAreDroppedAndDescribedWithoutTheirValues() {
        FallbackChains chains = FallbackChains.parse("""
                no equals sign
                a =
                b = openai https://x/v1 m key=sk-live-123456
                c = gopher://x m
                d = ollama ftp://x m
                e = openai https://x/v1 m secret=sk-live-abc
                f = g | sometimes
                ok = fine
                """, "fallbacks.txt", null);
        assertEquals(1, chains.all().size());
        assertEquals(7, chains.problems().size(), chains.problems().toString());
        assertTrue(chains.problems().getFirst().startsWith("fallbacks.txt line 1: "), chains.problems().getFirst());
        for (String problem : chains.problems()) {
            assertFalse(problem.contains("sk-live"), "a key written where a variable belongs is not echoed: " + problem);
        }
    }
}
