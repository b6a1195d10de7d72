package io.quokka.scheduler.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.gguf.GgufFile;
import io.quokka.gguf.GgufReader;
import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The estimate's terms and the guard's decisions, on generated GGUF headers (no runner). */
class MemoryGuardTest {
    static final long MIB = 1024 * 1024;
    static GgufFile tiny;
    static Path tinyFile;

    @BeforeAll
    static void model() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "memory-test").toAbsolutePath());
        tinyFile = dir.resolve("tiny.gguf");
        if (!Files.exists(tinyFile)) ToyModel.write(ToyModelSpec.tiny(), tinyFile);
        tiny = GgufReader.read(tinyFile);
    }

    static MemoryBudget.Available available(long bytes) {
        return new MemoryBudget.Available(bytes, -1, -1, "test");
    }

    static MemoryGuard guard(int floor) {
        return new MemoryGuard(new MemoryBudget(new MemoryBudget.Sources(Path.of("/nonexistent"), Path.of("/nonexistent"),
                Path.of("/nonexistent")), OptionalLong.empty(), 0, () -> 0), p -> tiny, new MemoryGuard.Settings(true, floor));
    }

    static LoadRequest request(int ctx, int parallel) {
        return new LoadRequest(tinyFile, ctx * parallel, 512, 2, parallel, true, false, KvCacheType.F16);
    }

    @Test
    void kvCacheIsTwoTimesLayersTimesContextTimesKvWidthTimesElementSize() {
        // tiny: 2 layers, 2 KV heads of dim 32
        MemoryEstimate e = MemoryEstimate.of(tiny, 4096, 512, KvCacheType.F16, false);
        assertEquals(2L * 2 * 4096 * (2 * 32) * 2, e.kvCache());
        assertEquals(tiny.weightsBytes(), e.weights());
        assertEquals(4096, e.contextLength());
        // a quantized cache only with flash attention (the runner's own rule)
        assertEquals(KvCacheType.F16, MemoryEstimate.of(tiny, 4096, 512, KvCacheType.Q8_0, false).kvCacheType());
        MemoryEstimate q8 = MemoryEstimate.of(tiny, 4096, 512, KvCacheType.Q8_0, true);
        assertEquals(KvCacheType.Q8_0, q8.kvCacheType());
        assertEquals((long) Math.ceil(2L * 2 * 4096 * 64 * 34.0 / 32), q8.kvCache());
        // llama.cpp pads n_ctx (b4916: to 32 without flash attention; v0.5.0: to 256) and caps the batch at it
        var b4916 = MemoryEstimate.Calibration.B4916;
        assertEquals(128, MemoryEstimate.of(tiny, 100, 512, KvCacheType.F16, false, b4916).contextLength());
        assertEquals(128, MemoryEstimate.of(tiny, 100, 512, KvCacheType.F16, false, b4916).batch());
        assertEquals(256, MemoryEstimate.of(tiny, 100, 512, KvCacheType.F16, false).contextLength());
        assertEquals(256, MemoryEstimate.of(tiny, 100, 512, KvCacheType.F16, false).batch());
        // the compute buffers grow with n_ctx x n_batch x n_head
        assertTrue(MemoryEstimate.of(tiny, 8192, 512, KvCacheType.F16, false).compute()
                > 1.9 * MemoryEstimate.of(tiny, 4096, 512, KvCacheType.F16, false).compute());
    }

    /**
     * qwen3moe (4 experts of n_ff 256, 2 used per token): every expert's 3-D stack is weights, the activations are
     * those of the 2 used experts; the attention terms are qwen3's.
     */
    @Test
    void aMixtureOfExpertsCountsEveryExpertAsWeightsAndOnlyTheUsedOnesAsActivations() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "memory-test").toAbsolutePath());
        ToyModelSpec moeSpec = ToyModelSpec.tiny().withName("moe").withArchitecture("qwen3moe").withExperts(4, 2);
        Path moeFile = dir.resolve("tiny-qwen3moe.gguf");
        Path denseFile = dir.resolve("tiny-qwen3-ff512.gguf");
        ToyModel.write(moeSpec, moeFile);
        // a dense qwen3 whose feed-forward is as wide as the two used experts together
        ToyModelSpec denseSpec = ToyModelSpec.tiny().withName("dense").withArchitecture("qwen3");
        ToyModel.write(denseSpec.withShape(128, 2, 4, 2, 512), denseFile);
        GgufFile moe = GgufReader.read(moeFile);
        GgufFile dense = GgufReader.read(denseFile);

        assertEquals(512, MemoryEstimate.activeFeedForwardLength(moe));
        assertEquals(512, MemoryEstimate.activeFeedForwardLength(dense));
        MemoryEstimate e = MemoryEstimate.of(moe, 4096, 512, KvCacheType.F16, false);
        MemoryEstimate d = MemoryEstimate.of(dense, 4096, 512, KvCacheType.F16, false);
        assertEquals(moe.weightsBytes(), e.weights(), "Q8_0: nothing repacked, every expert counted");
        long experts = moe.tensors().stream().filter(t -> t.name().endsWith("_exps.weight"))
                .mapToLong(io.quokka.gguf.TensorInfo::byteSize).sum();
        assertEquals(2L * 3 * 4 * io.quokka.gguf.TensorType.Q8_0.byteSize(128L * 256), experts);
        assertTrue(e.weights() <= moe.fileSize() && e.weights() > 0.9 * (moe.fileSize() - moe.dataOffset()),
                "weights %d, file %d".formatted(e.weights(), moe.fileSize()));
        assertEquals(d.kvCache(), e.kvCache(), "the attention is qwen3's");
        assertEquals(d.compute(), e.compute(), "activations of the 2 used experts, as a dense n_ff of 512");
        assertEquals(d.runtime(), e.runtime());
        // an expert's width comes from its tensors' shape; as Mixtral's llama files, feed_forward_length may be it
        var metadata = new java.util.LinkedHashMap<>(moe.metadata());
        var types = new java.util.HashMap<>(moe.metadataTypes());
        metadata.remove("qwen3moe.expert_feed_forward_length");
        types.remove("qwen3moe.expert_feed_forward_length");
        metadata.put("qwen3moe.feed_forward_length", 256L);
        GgufFile mixtralLike = new GgufFile(moe.version(), moe.alignment(), metadata, types,
                moe.tensors(), moe.dataOffset(), moe.fileSize());
        assertEquals(512, MemoryEstimate.activeFeedForwardLength(mixtralLike));
        System.out.printf("tiny qwen3moe Q8_0: file %d bytes, weights %d (experts %d), estimate %s; dense qwen3 n_ff 512: %s%n",
                moe.fileSize(), e.weights(), experts, e, d);
    }

    @Test
    void perLayerKvHeads() {
        var metadata = new java.util.LinkedHashMap<>(tiny.metadata());
        var types = new java.util.HashMap<>(tiny.metadataTypes());
        metadata.put("llama.attention.head_count_kv", io.quokka.gguf.GgufArray.ofInts(new int[] {2, 1}));
        types.put("llama.attention.head_count_kv", io.quokka.gguf.ValueType.ARRAY);
        GgufFile g = new GgufFile(tiny.version(), tiny.alignment(), metadata, types, tiny.tensors(), tiny.dataOffset(),
                tiny.fileSize());
        assertEquals(2L * 1024 * (2 + 1) * 32 * 2, MemoryEstimate.of(g, 1024, 512, KvCacheType.F16, false).kvCache());
    }

    @Test
    void fitsAsAsked() {
        LoadRequest asked = request(2048, 1);
        var plan = guard(512).plan(tiny, asked, available(1024 * MIB));
        assertEquals(asked, plan.load());
        assertFalse(plan.shrunk());
    }

    @Test
    void shrinksToTheLargestContextThatFits() {
        long at4096 = MemoryEstimate.of(tiny, 4096, 512, KvCacheType.F16, false).total();
        long at4352 = MemoryEstimate.of(tiny, 4352, 512, KvCacheType.F16, false).total();
        var plan = guard(512).plan(tiny, request(32768, 1), available(at4096 + (at4352 - at4096) / 2));
        assertTrue(plan.shrunk());
        assertEquals(4096, plan.load().numCtx());
        assertEquals(4096, plan.estimate().contextLength());
        assertTrue(plan.estimate().total() <= plan.available().bytes());
    }

    @Test
    void shrinksPerSlot() {
        long fits = MemoryEstimate.of(tiny, 2 * 1024, 512, KvCacheType.F16, false).total();
        var plan = guard(512).plan(tiny, request(8192, 2), available(fits));
        assertEquals(2 * 1024, plan.load().numCtx());
        assertEquals(2, plan.load().numParallel());
    }

    @Test
    void refusesWhenEvenTheFloorDoesNotFitNamingBothFigures() {
        long atFloor = MemoryEstimate.of(tiny, 1024, 512, KvCacheType.F16, false).total();
        var e = assertThrows(InsufficientMemoryException.class,
                () -> guard(1024).plan(tiny, request(32768, 1), available(atFloor - 1)));
        assertEquals(atFloor, e.required());
        assertEquals("model requires more system memory (" + ByteSize.human(atFloor) + ") than is available ("
                + ByteSize.human(atFloor - 1) + ")", e.getMessage());
        // exactly the floor fits
        assertEquals(1024, guard(1024).plan(tiny, request(32768, 1), available(atFloor)).load().numCtx());
    }

    @Test
    void aRequestBelowTheFloorIsNeverGrown() {
        long need = MemoryEstimate.of(tiny, 256, 512, KvCacheType.F16, false).total();
        assertEquals(256, guard(512).plan(tiny, request(256, 1), available(need)).load().numCtx());
        assertThrows(InsufficientMemoryException.class, () -> guard(512).plan(tiny, request(256, 1), available(need - 1)));
    }

    @Test
    void aDisabledGuardLoadsWhatIsAsked() {
        var off = new MemoryGuard(null, p -> tiny, new MemoryGuard.Settings(false, 512));
        var spec = new io.quokka.scheduler.ModelSpec("toy", "d", request(32768, 1), null);
        assertEquals(spec.load(), off.plan(spec, 0));
    }
}
