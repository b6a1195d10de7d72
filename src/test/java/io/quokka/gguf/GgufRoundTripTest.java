package io.quokka.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyMetadataTypeRoundTrips() throws Exception {
        GgufArray nested = GgufArray.of(ValueType.ARRAY, List.of(
                GgufArray.of(ValueType.INT32, List.of(1, 2)), GgufArray.of(ValueType.INT32, List.of())));
        BigInteger maxU64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        GgufWriter w = new GgufWriter()
                .put("u8", ValueType.UINT8, 255)
                .put("i8", ValueType.INT8, -128)
                .put("u16", ValueType.UINT16, 65535)
                .put("i16", ValueType.INT16, -32768)
                .put("u32", ValueType.UINT32, 4294967295L)
                .put("i32", ValueType.INT32, Integer.MIN_VALUE)
                .put("u64.small", ValueType.UINT64, 7)
                .put("u64.big", ValueType.UINT64, maxU64)
                .put("i64", ValueType.INT64, Long.MIN_VALUE)
                .put("f32", ValueType.FLOAT32, 1.5f)
                .put("f64", ValueType.FLOAT64, Math.PI)
                .put("bool", true)
                .put("string", "héllo ▁wörld 🦘")
                .put("empty.string", "")
                .put("arr.u8", GgufArray.of(ValueType.UINT8, List.of(0, 128, 255)))
                .put("arr.i8", GgufArray.of(ValueType.INT8, List.of(-1, 1)))
                .put("arr.u16", GgufArray.of(ValueType.UINT16, List.of(65535)))
                .put("arr.i16", GgufArray.of(ValueType.INT16, List.of(-2)))
                .put("arr.u32", GgufArray.of(ValueType.UINT32, List.of(4294967295L, 0)))
                .put("arr.i32", List.of(1, -1))
                .put("arr.u64", GgufArray.of(ValueType.UINT64, List.of(maxU64, 3)))
                .put("arr.i64", List.of(Long.MAX_VALUE))
                .put("arr.f32", GgufArray.ofFloats(0.25f, -3f))
                .put("arr.f64", List.of(1e300))
                .put("arr.bool", List.of(true, false))
                .put("arr.string", List.of("a", "", "▁b"))
                .put("arr.empty", GgufArray.of(ValueType.STRING, List.of()))
                .put("arr.nested", nested);
        Path file = dir.resolve("meta.gguf");
        w.write(file);

        GgufFile f = GgufReader.read(file);
        assertEquals(3, f.version());
        Map<String, Object> m = f.metadata();
        assertEquals(List.copyOf(m.keySet()).getFirst(), "u8", "file order is kept");
        assertEquals((short) 255, m.get("u8"));
        assertEquals((byte) -128, m.get("i8"));
        assertEquals(65535, m.get("u16"));
        assertEquals((short) -32768, m.get("i16"));
        assertEquals(4294967295L, m.get("u32"));
        assertEquals(Integer.MIN_VALUE, m.get("i32"));
        assertEquals(7L, m.get("u64.small"));
        assertEquals(maxU64, m.get("u64.big"));
        assertEquals(Long.MIN_VALUE, m.get("i64"));
        assertEquals(1.5f, m.get("f32"));
        assertEquals(Math.PI, m.get("f64"));
        assertEquals(true, m.get("bool"));
        assertEquals("héllo ▁wörld 🦘", m.get("string"));
        assertEquals("", m.get("empty.string"));
        assertEquals(List.of((short) 0, (short) 128, (short) 255), m.get("arr.u8"));
        assertEquals(List.of((byte) -1, (byte) 1), m.get("arr.i8"));
        assertEquals(List.of(65535), m.get("arr.u16"));
        assertEquals(List.of((short) -2), m.get("arr.i16"));
        assertEquals(List.of(4294967295L, 0L), m.get("arr.u32"));
        assertEquals(List.of(1, -1), m.get("arr.i32"));
        assertEquals(List.of(maxU64, 3L), m.get("arr.u64"));
        assertEquals(List.of(Long.MAX_VALUE), m.get("arr.i64"));
        assertEquals(List.of(0.25f, -3f), m.get("arr.f32"));
        assertEquals(List.of(1e300), m.get("arr.f64"));
        assertEquals(List.of(true, false), m.get("arr.bool"));
        assertEquals(List.of("a", "", "▁b"), m.get("arr.string"));
        assertEquals(List.of(), m.get("arr.empty"));
        assertEquals(ValueType.STRING, ((GgufArray) m.get("arr.empty")).elementType());
        assertEquals(List.of(List.of(1, 2), List.of()), m.get("arr.nested"));

        assertEquals(ValueType.UINT8, f.metadataType("u8").orElseThrow());
        assertEquals(ValueType.INT16, f.metadataType("i16").orElseThrow());
        assertEquals(ValueType.ARRAY, f.metadataType("arr.nested").orElseThrow());
        assertEquals(OptionalLong.of(4294967295L), f.integer("u32"));
        assertEquals(OptionalLong.empty(), f.integer("u64.big"));

        // rewriting with putAll keeps every type and value byte for byte
        Path copy = dir.resolve("copy.gguf");
        new GgufWriter().putAll(f).write(copy);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
    }

    @Test
    void tensorsOfManyTypesRoundTripAligned() throws Exception {
        GgufWriter w = new GgufWriter().alignment(64);
        w.put("general.architecture", "test");
        TensorType[] types = {TensorType.F32, TensorType.F16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_K,
                TensorType.Q6_K, TensorType.I32, TensorType.BF16, TensorType.IQ4_XS, TensorType.TQ2_0};
        for (int i = 0; i < types.length; i++) {
            TensorType t = types[i];
            long[] dims = {t.blockSize() * 2L, 3, 1 + i % 2};
            int bytes = (int) t.byteSize(dims[0] * dims[1] * dims[2]);
            ByteBuffer data = ByteBuffer.allocate(bytes);
            for (int b = 0; b < bytes; b++) {
                data.put(b, (byte) (i * 31 + b));
            }
            w.addTensor("t" + i + "." + t, t, dims, data);
        }
        Path file = dir.resolve("tensors.gguf");
        w.write(file);
        assertEquals(w.fileSize(), Files.size(file));

        GgufFile f = GgufReader.read(file);
        assertEquals(64, f.alignment());
        assertEquals(0, f.dataOffset() % 64);
        assertEquals(types.length, f.tensors().size());
        byte[] all = Files.readAllBytes(file);
        for (int i = 0; i < types.length; i++) {
            TensorInfo t = f.tensors().get(i);
            assertEquals(types[i], t.type());
            assertEquals(List.of(types[i].blockSize() * 2L, 3L, 1L + i % 2), t.dims());
            assertEquals(0, t.offset() % 64);
            int start = (int) f.absoluteOffset(t);
            for (int b = 0; b < t.byteSize(); b++) {
                assertEquals((byte) (i * 31 + b), all[start + b], "byte " + b + " of " + t.name());
            }
        }
    }

    @Test
    void writerRejectsWhatReadersReject() {
        GgufWriter w = new GgufWriter().put("a", 1);
        assertThrows(IllegalArgumentException.class, () -> w.put("a", 2));
        assertThrows(IllegalArgumentException.class, () -> w.put("", 2));
        assertThrows(IllegalArgumentException.class, () -> w.put("b", ValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> w.put("c", ValueType.UINT32, -1));
        assertThrows(IllegalArgumentException.class, () -> w.put("d", ValueType.FLOAT32, "x"));
        assertThrows(IllegalArgumentException.class, () -> w.put("e", List.of()));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", ValueType.INT32, 64));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        ByteBuffer none = ByteBuffer.allocate(0);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorType.Q8_0, new long[] {33}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorType.F32, new long[] {}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorType.F32, new long[] {1, 1, 1, 1, 1}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorType.F32, new long[] {0}, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), TensorType.F32, new long[] {1}, none));
        w.addTensor("t", TensorType.F32, new long[] {1}, ByteBuffer.allocate(4));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", TensorType.F32, new long[] {1}, none));
    }

    @Test
    void writerRejectsATensorSourceThatWritesTheWrongSize() {
        GgufWriter w = new GgufWriter().addTensor("t", TensorType.F32, new long[] {4}, ByteBuffer.allocate(12));
        Path file = dir.resolve("short.gguf");
        assertThrows(IllegalStateException.class, () -> w.write(file));
        assertTrue(Files.notExists(file), "no partial file is left behind");
    }

    @Test
    void humanNumberMatchesOllama() {
        assertEquals("8.0B", GgufFile.humanNumber(8_030_261_248L));
        assertEquals("7B", GgufFile.humanNumber(7_000_000_000L));
        assertEquals("494.03M", GgufFile.humanNumber(494_032_768L));
        assertEquals("137M", GgufFile.humanNumber(137_000_000L));
        assertEquals("1.23M", GgufFile.humanNumber(1_234_567L));
        assertEquals("315K", GgufFile.humanNumber(315_008L));
        assertEquals("2K", GgufFile.humanNumber(2_500L));   // half to even, as Go's fmt
        assertEquals("999", GgufFile.humanNumber(999L));
        assertEquals("0", GgufFile.humanNumber(0L));
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
