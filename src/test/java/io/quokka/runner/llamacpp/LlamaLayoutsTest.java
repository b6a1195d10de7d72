package io.quokka.runner.llamacpp;

import static io.quokka.runner.llamacpp.LlamaLayouts.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layouts in {@link LlamaLayouts} against what the library itself fills in. */
class LlamaLayoutsTest {
    static LlamaB4916 llama;

    @BeforeAll
    static void open() {
        llama = LlamaB4916.open(NativeLibrary.extract(Paths.get("target", "native")));
    }

    @Test
    void sizesMatchTheCStructs() {
        assertEquals(64, MODEL_PARAMS.byteSize());
        assertEquals(120, CONTEXT_PARAMS.byteSize());
        assertEquals(0x68, CONTEXT_PARAMS.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("abort_callback")));
        assertEquals(56, BATCH.byteSize());
        assertEquals(1, SAMPLER_CHAIN_PARAMS.byteSize());
        assertEquals(16, CHAT_MESSAGE.byteSize());
    }

    @Test
    void modelDefaults() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = llama.modelDefaultParams(arena);
            assertEquals(0, (int) MP_N_GPU_LAYERS.get(p, 0L));
            assertEquals(1, (int) MP_SPLIT_MODE.get(p, 0L)); // LLAMA_SPLIT_MODE_LAYER
            assertFalse((boolean) MP_VOCAB_ONLY.get(p, 0L));
            assertTrue((boolean) MP_USE_MMAP.get(p, 0L));
            assertFalse((boolean) MP_USE_MLOCK.get(p, 0L));
            assertFalse((boolean) MP_CHECK_TENSORS.get(p, 0L));
            // padding bytes after the bools are zero (llama.cpp value-initialises the struct)
            assertEquals(0, p.get(java.lang.foreign.ValueLayout.JAVA_INT, 60));
        }
    }

    @Test
    void contextDefaults() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = llama.contextDefaultParams(arena);
            assertEquals(512, (int) CP_N_CTX.get(p, 0L));
            assertEquals(2048, (int) CP_N_BATCH.get(p, 0L));
            assertEquals(512, (int) CP_N_UBATCH.get(p, 0L));
            assertEquals(1, (int) CP_N_SEQ_MAX.get(p, 0L));
            assertEquals(4, (int) CP_N_THREADS.get(p, 0L)); // GGML_DEFAULT_N_THREADS
            assertEquals(4, (int) CP_N_THREADS_BATCH.get(p, 0L));
            assertEquals(-1, (int) CP_ROPE_SCALING_TYPE.get(p, 0L));
            assertEquals(-1, (int) CP_POOLING_TYPE.get(p, 0L));
            assertEquals(-1.0f, (float) CP_YARN_EXT_FACTOR.get(p, 0L));
            assertEquals(1.0f, (float) CP_YARN_ATTN_FACTOR.get(p, 0L));
            assertEquals(32.0f, (float) CP_YARN_BETA_FAST.get(p, 0L));
            assertEquals(1.0f, (float) CP_YARN_BETA_SLOW.get(p, 0L));
            assertEquals(1, (int) CP_TYPE_K.get(p, 0L)); // GGML_TYPE_F16
            assertEquals(1, (int) CP_TYPE_V.get(p, 0L));
            assertFalse((boolean) CP_LOGITS_ALL.get(p, 0L));
            assertFalse((boolean) CP_EMBEDDINGS.get(p, 0L));
            assertTrue((boolean) CP_OFFLOAD_KQV.get(p, 0L));
            assertFalse((boolean) CP_FLASH_ATTN.get(p, 0L));
            assertTrue((boolean) CP_NO_PERF.get(p, 0L));
            assertEquals(MemorySegment.NULL, (MemorySegment) CP_ABORT_CALLBACK.get(p, 0L));
            assertEquals(MemorySegment.NULL, (MemorySegment) CP_ABORT_CALLBACK_DATA.get(p, 0L));
        }
    }

    @Test
    void samplerChainDefaults() {
        try (Arena arena = Arena.ofConfined()) {
            assertTrue((boolean) CHAIN_NO_PERF.get(llama.samplerChainDefaultParams(arena), 0L));
        }
    }

    @Test
    void extractionIsReusedAndPrivate() {
        Path dir = Paths.get("target", "native");
        Path first = NativeLibrary.extract(dir);
        Path second = NativeLibrary.extract(dir);
        assertEquals(first, second);
        assertTrue(Files.isRegularFile(first));
        assertTrue(first.startsWith(dir));
    }
}
