package io.quokka.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code OLLAMA_NUM_PARALLEL=2}: two streamed requests on one model are generated at once (one runner, two llama.cpp
 * sequences batched together), so their chunks interleave; each still gets exactly the tokens it asked for.
 */
@QuarkusTest
@TestProfile(ParallelApiTest.TwoParallel.class)
@QuarkusTestResource(TestStoreAccess.Resource.class)
class ParallelApiTest {
    public static class TwoParallel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.num-parallel", "2");
        }
    }

    static final String LONG = """
            {"model":"toy","prompt":"%s","stream":true,"options":{"temperature":0,"num_predict":1500,"num_ctx":2048}}""";

    @TestHTTPResource("/")
    URI base;

    record Streamed(List<Long> times, JsonNode last) {}

    CompletableFuture<Streamed> stream(String prompt, CountDownLatch fiveChunks) {
        return CompletableFuture.supplyAsync(() -> {
            NdjsonClient.Stream s = NdjsonClient.post(base, "api/generate", LONG.formatted(prompt));
            assertEquals(200, s.response().statusCode());
            List<Long> times = new CopyOnWriteArrayList<>();
            JsonNode last = null;
            while (s.hasNext()) {
                last = s.next();
                if (!last.path("done").asBoolean()) times.add(System.nanoTime());
                fiveChunks.countDown();
            }
            return new Streamed(times, last);
        }, r -> Thread.ofPlatform().start(r));
    }

    @Test
    void twoStreamedRequestsOnOneModelInterleave() throws Exception {
        CountDownLatch aStarted = new CountDownLatch(5);
        CompletableFuture<Streamed> fa = stream("Hello world", aStarted);
        assertTrue(aStarted.await(60, TimeUnit.SECONDS));
        CompletableFuture<Streamed> fb = stream("the water of the people", new CountDownLatch(1));
        Streamed a = fa.get(120, TimeUnit.SECONDS);
        Streamed b = fb.get(120, TimeUnit.SECONDS);
        for (Streamed s : List.of(a, b)) {
            assertTrue(s.last().path("done").asBoolean(), s.last().toString());
            assertEquals(1500, s.last().path("eval_count").asInt(), s.last().toString());
            assertEquals("length", s.last().path("done_reason").asText());
        }
        long bFirst = b.times().getFirst();
        long aAfterB = a.times().stream().filter(t -> t > bFirst).count();
        long bBeforeAEnd = b.times().stream().filter(t -> t < a.times().getLast()).count();
        assertTrue(aAfterB > 0 && bBeforeAEnd > 0,
                "chunks interleave: A sent " + aAfterB + " after B's first, B sent " + bBeforeAEnd + " before A's last");
    }
}
