package io.quokka.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.toy.ToyModel;
import io.quokka.toy.ToyModelSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each malformed file is rejected with a GgufException whose message says what is wrong. */
class GgufValidationTest {

    @TempDir
    Path dir;

    /** A valid file: two keys, an int array, a tokenizer, and tensors t.a (F32 [32,2]) and t.b (Q8_0 [64,2]). */
    private byte[] base;

    @BeforeEach
    void writeBase() throws Exception {
        Path file = dir.resolve("base.gguf");
        new GgufWriter()
                .put("general.architecture", "llama")
                .put("k.a", 1)
                .put("k.b", 2)
                .put("arr", List.of(1, 2, 3))
                .put("tokenizer.ggml.tokens", List.of("a", "b", "c"))
                .put("tokenizer.ggml.scores", GgufArray.ofFloats(0f, -1f, -2f))
                .addTensor("t.a", TensorType.F32, new long[] {32, 2}, ByteBuffer.allocate(256))
                .addTensor("t.b", TensorType.Q8_0, new long[] {64, 2}, ByteBuffer.allocate(136))
                .write(file);
        base = Files.readAllBytes(file);
        GgufReader.read(file);   // sanity: the base is valid
    }

    // ---- model level (ModelCheck): structurally valid files llama.cpp would refuse ----

    @Test
    void modelFaultsAreRefusedWithTheirReason() throws Exception {
        ToyModelSpec spec = ToyModelSpec.tiny();
        Path valid = dir.resolve("toy.gguf");
        ToyModel.write(spec, valid);
        ModelCheck.check(GgufReader.read(valid));
        for (ToyModelSpec other : List.of(spec.withWeightType(TensorType.Q4_0).withShape(96, 3, 3, 3, 192),
                spec.withShape(128, 2, 4, 4, 256).withChatTemplate(null))) {
            Path file = dir.resolve("other.gguf");
            ToyModel.write(other, file);
            ModelCheck.check(GgufReader.read(file)); // valid shapes pass
        }
        int refused = 0;
        for (var fault : CorruptModels.faults(spec.embeddingLength(), spec.vocabSize()).entrySet()) {
            Path file = dir.resolve(fault.getKey() + ".gguf");
            CorruptModels.write(valid, fault.getValue(), file);
            GgufFile header = GgufReader.read(file); // structure is fine
            if (fault.getKey().contains("architecture") && !fault.getKey().equals("no-architecture")) {
                ModelCheck.check(header); // other architectures: only llama.cpp knows their tensors
                continue;
            }
            GgufException e = assertThrows(GgufException.class, () -> ModelCheck.check(header), fault.getKey());
            assertTrue(e.getMessage().startsWith("invalid model: "), e.getMessage());
            refused++;
        }
        System.out.printf("model check: %d faults refused, failures: 0%n", refused);
    }

    /** The engine's own list decides the architecture; the tokenizers of both engines pass (gemma 4's among them). */
    @Test
    void anArchitectureTheEngineLacksIsRefusedNamingIt() throws Exception {
        Path file = dir.resolve("qwen3.gguf");
        ToyModel.write(ToyModelSpec.tiny().withArchitecture("qwen3"), file);
        GgufFile header = GgufReader.read(file);
        var old = new ModelCheck.Engine("llama.cpp b4916", java.util.Set.of("llama", "qwen2"), "try the new one");
        GgufException e = assertThrows(GgufException.class, () -> ModelCheck.check(header, old));
        assertEquals("unknown model architecture: 'qwen3' (llama.cpp b4916 cannot load it; try the new one)",
                e.getMessage());
        ModelCheck.check(header, new ModelCheck.Engine("llama.cpp v0.5.0", java.util.Set.of("llama", "qwen3"), ""));
        ModelCheck.check(header, ModelCheck.Engine.UNKNOWN); // an engine that could not say: not refused here
        for (String tokenizer : List.of("gemma4", "plamo2", "gpt2", "llama")) {
            assertTrue(ModelCheck.TOKENIZERS.contains(tokenizer), tokenizer);
        }
    }

    // ---- header ----

    @Test
    void badMagic() throws Exception {
        byte[] b = base.clone();
        b[0] = 'X';
        assertInvalid(b, "not a GGUF file: magic is 'XGUF'");
        assertInvalid(new byte[] {'G', 'G'}, "too short");
        assertInvalid(new byte[0], "too short");
    }

    @Test
    void unsupportedVersions() throws Exception {
        for (int v : new int[] {0, 1, 4, 0x03000000}) {
            byte[] b = base.clone();
            putU32(b, 4, v);
            assertInvalid(b, "unsupported GGUF version " + Integer.toUnsignedString(v));
        }
        byte[] be = base.clone();
        putU32(be, 4, 0x03000000);
        assertInvalid(be, "big-endian");
        byte[] v2 = base.clone();
        putU32(v2, 4, 2);
        assertEquals(2, read(v2).version(), "v2 has the v3 layout and is accepted");
    }

    @Test
    void implausibleCounts() throws Exception {
        byte[] b = base.clone();
        putU64(b, 8, 1L << 40);
        assertInvalid(b, "tensor count 1099511627776 cannot fit");
        b = base.clone();
        putU64(b, 8, -1L);
        assertInvalid(b, "tensor count 18446744073709551615 cannot fit");
        b = base.clone();
        putU64(b, 16, 1_000_000);
        assertInvalid(b, "metadata count 1000000 cannot fit");
    }

    @Test
    void headerSizeIsBounded() throws Exception {
        Path file = dir.resolve("limit.gguf");
        Files.write(file, base);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file, 100));
        assertTrue(e.getMessage().contains("would grow past the 100-byte limit"), e.getMessage());
        byte[] b = base.clone();
        putU64(b, 8, GgufReader.MAX_TENSORS + 1);
        Path big = dir.resolve("many.gguf");
        Files.write(big, Arrays.copyOf(b, 40 << 20));
        e = assertThrows(GgufException.class, () -> GgufReader.read(big));
        assertTrue(e.getMessage().contains("tensor count 1048577 cannot fit"), e.getMessage());
    }

    @Test
    void tensorTypeTableMatchesGgml() {
        assertEquals(31, TensorType.values().length);
        for (int removed : new int[] {4, 5, 31, 32, 33, 36, 37, 38, 39}) {
            assertTrue(TensorType.fromId(removed).isEmpty(), "id " + removed);
        }
        for (TensorType t : TensorType.values()) {
            assertEquals(t, TensorType.fromId(t.id()).orElseThrow());
        }
        assertEquals(84, TensorType.Q2_K.typeSize());
        assertEquals(110, TensorType.Q3_K.typeSize());
        assertEquals(144, TensorType.Q4_K.typeSize());
        assertEquals(210, TensorType.Q6_K.typeSize());
        assertEquals(56, TensorType.IQ1_M.typeSize());
        assertEquals(54, TensorType.TQ1_0.typeSize());
        assertEquals(4096L * 4096 / 256 * 144, TensorType.Q4_K.byteSize(4096L * 4096));
    }

    // ---- metadata ----

    @Test
    void stringLengthPastEndOfFile() throws Exception {
        byte[] b = base.clone();
        int keyLen = indexOf(b, "general.architecture") - 8;
        putU64(b, keyLen, 1L << 20);
        assertInvalid(b, "metadata key #0 at offset 24 has length 1048576, past the end of the file");
        putU64(b, keyLen, -2L);
        assertInvalid(b, "has length 18446744073709551614, past the end of the file");
        int valueLen = after(base, "general.architecture") + 4;
        b = base.clone();
        putU64(b, valueLen, 1L << 33);
        assertInvalid(b, "value of general.architecture at offset");
    }

    @Test
    void arrayLengthPastEndOfFileOrAbsurd() throws Exception {
        int count = after(base, "arr") + 8;
        byte[] b = base.clone();
        putU64(b, count, 100_000);
        assertInvalid(b, "array 'arr' at offset " + count + " has 100000 elements, more than the");
        putU64(b, count, Long.MIN_VALUE);
        assertInvalid(b, "has 9223372036854775808 elements");
    }

    @Test
    void tooManyArrayElementsInAll() throws Exception {
        Path file = dir.resolve("big.gguf");
        byte[] many = new byte[GgufReader.MAX_ARRAY_ELEMENTS / 2 + 1];
        new GgufWriter().put("a", new GgufArray(ValueType.UINT8, many, many.length))
                .put("b", new GgufArray(ValueType.UINT8, many, many.length)).write(file);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
        assertTrue(e.getMessage().contains("array 'b' has 2097153 elements, more than the 4194304 allowed"), e.getMessage());
    }

    @Test
    void unknownValueTypes() throws Exception {
        byte[] b = base.clone();
        putU32(b, after(b, "k.a"), 13);
        assertInvalid(b, "metadata key 'k.a' has unknown value type 13");
        b = base.clone();
        putU32(b, after(b, "arr") + 4, 0xFFFF_FFFF);
        assertInvalid(b, "metadata key 'arr' has unknown value type 4294967295");
    }

    @Test
    void nestedArraysTooDeep() throws Exception {
        Object deep = List.of(1);
        for (int i = 0; i < GgufReader.MAX_ARRAY_DEPTH; i++) {
            deep = List.of(deep);
        }
        Path file = dir.resolve("deep.gguf");
        new GgufWriter().put("deep", deep).write(file);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
        assertTrue(e.getMessage().contains("'deep' nests arrays more than 3 deep"), e.getMessage());

        Path ok = dir.resolve("ok.gguf");
        new GgufWriter().put("nested", List.of(List.of(List.of("x")))).write(ok);
        assertEquals(List.of(List.of(List.of("x"))), GgufReader.read(ok).metadata().get("nested"));
    }

    @Test
    void duplicateAndEmptyKeys() throws Exception {
        byte[] b = base.clone();
        b[indexOf(b, "k.b") + 2] = 'a';
        assertInvalid(b, "duplicate metadata key 'k.a'");
        b = base.clone();
        int len = indexOf(b, "k.a") - 8;
        // turn key "k.a" (3 bytes) into an empty key followed by a bogus type: the empty key is caught first
        putU64(b, len, 0);
        assertInvalid(b, "metadata key #1 at offset " + len + " is empty");
    }

    @Test
    void alignmentMustBeAPowerOfTwoUint32() throws Exception {
        Path file = dir.resolve("align.gguf");
        new GgufWriter().alignment(64).write(file);
        byte[] b = Files.readAllBytes(file);
        int value = after(b, "general.alignment") + 4;
        putU32(b, value, 48);
        assertInvalid(b, "general.alignment is 48, expected a power of two");
        putU32(b, value, 0);
        assertInvalid(b, "general.alignment is 0");
        putU32(b, value - 4, ValueType.INT32.id());
        putU32(b, value, 64);
        assertInvalid(b, "general.alignment must be UINT32, not INT32");
    }

    @Test
    void tokenizerArraysLlamaCppWouldMisread() throws Exception {
        Path file = dir.resolve("tok.gguf");
        new GgufWriter().put("tokenizer.ggml.tokens", List.of("a", "b"))
                .put("tokenizer.ggml.scores", GgufArray.ofFloats(0f)).write(file);
        assertInvalid(Files.readAllBytes(file), "tokenizer.ggml.scores has 1 entries but tokenizer.ggml.tokens has 2");
        new GgufWriter().put("tokenizer.ggml.tokens", List.of("a"))
                .put("tokenizer.ggml.token_type", List.of("x")).write(file);
        assertInvalid(Files.readAllBytes(file), "tokenizer.ggml.token_type must be an array of INT32");
        new GgufWriter().put("tokenizer.ggml.tokens", List.of(1)).write(file);
        assertInvalid(Files.readAllBytes(file), "tokenizer.ggml.tokens must be an array of STRING");
    }

    // ---- tensor table ----

    @Test
    void duplicateTensorNames() throws Exception {
        byte[] b = base.clone();
        b[indexOf(b, "t.b") + 2] = 'a';
        assertInvalid(b, "duplicate tensor name 't.a' (tensor #1)");
    }

    @Test
    void tensorNameTooLong() throws Exception {
        // rename t.a's 3 bytes into a 64-byte name by moving the length: easier to build directly
        HeaderEncoder h = header(1, 0);
        h.string("n".repeat(64)).u32(1).u64(1).u32(TensorType.F32.id()).u64(0);
        assertInvalid(bytes(h, 64), "tensor #0 name 'nnnn");
        assertInvalid(bytes(h, 64), "is longer than 63 bytes");
    }

    @Test
    void unknownOrRemovedTensorTypes() throws Exception {
        for (int id : new int[] {4, 5, 31, 32, 33, 36, 37, 38, 39, 1000, -1}) {
            byte[] b = base.clone();
            putU32(b, after(b, "t.a") + 4 + 16, id);
            assertInvalid(b, "tensor 't.a' has unknown or removed ggml type " + Integer.toUnsignedString(id));
        }
    }

    @Test
    void badDimensionCounts() throws Exception {
        byte[] b = base.clone();
        putU32(b, after(b, "t.a"), 0);
        assertInvalid(b, "tensor 't.a' has 0 dimensions, expected 1 to 4");
        putU32(b, after(b, "t.a"), 5);
        assertInvalid(b, "tensor 't.a' has 5 dimensions, expected 1 to 4");
    }

    @Test
    void nonPositiveDimensions() throws Exception {
        byte[] b = base.clone();
        putU64(b, after(b, "t.a") + 4 + 8, 0);
        assertInvalid(b, "tensor 't.a' dimension 1 is 0, expected a positive size");
        putU64(b, after(b, "t.a") + 4, -32L);
        assertInvalid(b, "tensor 't.a' dimension 0 is 18446744073709551584, expected a positive size");
    }

    @Test
    void elementCountOverflow() throws Exception {
        byte[] b = base.clone();
        putU64(b, after(b, "t.a") + 4, 1L << 32);
        putU64(b, after(b, "t.a") + 12, 1L << 32);
        assertInvalid(b, "tensor 't.a' shape [4294967296, 4294967296] has more elements than fit in 63 bits");
    }

    @Test
    void rowNotAMultipleOfTheBlockSize() throws Exception {
        byte[] b = base.clone();
        putU64(b, after(b, "t.b") + 4, 48);
        assertInvalid(b, "tensor 't.b' of type Q8_0 has rows of 48 elements, not a multiple of its block size 32");
    }

    @Test
    void offsetsMustBeAlignedAndInOrder() throws Exception {
        int offset = after(base, "t.b") + 4 + 16 + 4;
        byte[] b = base.clone();
        putU64(b, offset, 264);
        assertInvalid(b, "tensor 't.b' data offset 264 is not a multiple of the alignment 32");
        putU64(b, offset, 512);
        assertInvalid(b, "tensor 't.b' data offset is 512, expected 256");
        putU64(b, offset, 0);
        assertInvalid(b, "tensor 't.b' data offset is 0, expected 256");
    }

    @Test
    void tensorDataPastTheEndOfTheFile() throws Exception {
        GgufFile ok = read(base);
        long end = ok.absoluteOffset(ok.tensors().get(1)) + 136;
        byte[] cut = Arrays.copyOf(base, (int) end - 1);
        assertInvalid(cut, "invalid GGUF file: tensor 't.b' data (offset %d, 136 bytes) extends past the end of the file (%d bytes)"
                .formatted(end - 136, end - 1));
        assertEquals(2, read(Arrays.copyOf(base, (int) end)).tensors().size(), "trailing padding is optional");
    }

    @Test
    void truncatedHeaderAtEveryLength() throws Exception {
        int dataOffset = (int) read(base).dataOffset();
        for (int len = 0; len < dataOffset - 32; len++) {
            byte[] cut = Arrays.copyOf(base, len);
            assertThrows(GgufException.class, () -> read(cut), "length " + len);
        }
    }

    // ---- helpers ----

    private static HeaderEncoder header(long tensors, long kvs) {
        return new HeaderEncoder().u32(Gguf.MAGIC).u32(3).u64(tensors).u64(kvs);
    }

    private static byte[] bytes(HeaderEncoder h, int dataBytes) {
        byte[] out = new byte[(int) Gguf.pad(h.size(), 32) + dataBytes];
        h.toBuffer().get(out, 0, h.size());
        return out;
    }

    private GgufFile read(byte[] content) throws Exception {
        Path file = Files.createTempFile(dir, "case", ".gguf");
        Files.write(file, content);
        return GgufReader.read(file);
    }

    private void assertInvalid(byte[] content, String expectedFragment) {
        GgufException e = assertThrows(GgufException.class, () -> read(content));
        assertTrue(e.getMessage().contains(expectedFragment),
                "message '%s' should contain '%s'".formatted(e.getMessage(), expectedFragment));
    }

    private static int indexOf(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) continue outer;
            }
            // a stored string is preceded by its u64 length
            if (i >= 8 && ByteBuffer.wrap(hay, i - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == n.length) {
                return i;
            }
        }
        throw new AssertionError("'" + needle + "' not found");
    }

    /** Offset just past a stored string: where the type (metadata) or n_dims (tensor) follows. */
    private static int after(byte[] hay, String s) {
        return indexOf(hay, s) + s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putU32(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    private static void putU64(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }
}
