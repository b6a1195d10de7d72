package io.quokka.gguf;

import java.math.BigInteger;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable GGUF metadata array: a {@code List} that also knows its element type. Numbers are kept in primitive
 * arrays (a 150k-entry score table costs 600 KB, not 150k boxes) and boxed on {@link #get} following the scheme
 * documented on {@link ValueType}. Elements of type {@link ValueType#ARRAY} are themselves {@code GgufArray}s.
 */
public final class GgufArray extends AbstractList<Object> implements RandomAccess {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private final ValueType elementType;
    // byte[] (UINT8, INT8, BOOL), short[], int[], long[], float[], double[], String[] or GgufArray[]
    private final Object storage;
    private final int size;

    GgufArray(ValueType elementType, Object storage, int size) {
        this.elementType = Objects.requireNonNull(elementType);
        this.storage = storage;
        this.size = size;
    }

    /**
     * An array of {@code elementType} holding {@code values}, each converted to that type.
     *
     * @throws IllegalArgumentException if a value does not fit the type (e.g. 300 as UINT8, a String as FLOAT32)
     */
    public static GgufArray of(ValueType elementType, List<?> values) {
        int n = values.size();
        Object storage = switch (elementType) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = elementType == ValueType.BOOL
                            ? (byte) (Values.bool(values.get(i)) ? 1 : 0)
                            : (byte) Values.integer(elementType, values.get(i));
                }
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) Values.integer(elementType, values.get(i));
                }
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (int) Values.integer(elementType, values.get(i));
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Values.integer(elementType, values.get(i));
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) Values.real(values.get(i));
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Values.real(values.get(i));
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Values.string(values.get(i));
                }
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Values.array(values.get(i));
                }
                yield a;
            }
        };
        return new GgufArray(elementType, storage, n);
    }

    public static GgufArray ofStrings(List<String> values) {
        return of(ValueType.STRING, values);
    }

    public static GgufArray ofFloats(float... values) {
        return new GgufArray(ValueType.FLOAT32, values.clone(), values.length);
    }

    public static GgufArray ofInts(int... values) {
        return new GgufArray(ValueType.INT32, values.clone(), values.length);
    }

    public ValueType elementType() {
        return elementType;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(int i) {
        Objects.checkIndex(i, size);
        return switch (elementType) {
            case UINT8 -> (short) Byte.toUnsignedInt(((byte[]) storage)[i]);
            case INT8 -> ((byte[]) storage)[i];
            case BOOL -> ((byte[]) storage)[i] != 0;
            case UINT16 -> Short.toUnsignedInt(((short[]) storage)[i]);
            case INT16 -> ((short[]) storage)[i];
            case UINT32 -> Integer.toUnsignedLong(((int[]) storage)[i]);
            case INT32 -> ((int[]) storage)[i];
            case UINT64 -> unsigned64(((long[]) storage)[i]);
            case INT64 -> ((long[]) storage)[i];
            case FLOAT32 -> ((float[]) storage)[i];
            case FLOAT64 -> ((double[]) storage)[i];
            case STRING -> ((String[]) storage)[i];
            case ARRAY -> ((GgufArray[]) storage)[i];
        };
    }

    /** Element {@code i} of an integer array as a long (UINT64 values above Long.MAX_VALUE wrap negative). */
    public long longAt(int i) {
        Objects.checkIndex(i, size);
        return switch (elementType) {
            case UINT8 -> Byte.toUnsignedInt(((byte[]) storage)[i]);
            case INT8 -> ((byte[]) storage)[i];
            case UINT16 -> Short.toUnsignedInt(((short[]) storage)[i]);
            case INT16 -> ((short[]) storage)[i];
            case UINT32 -> Integer.toUnsignedLong(((int[]) storage)[i]);
            case INT32 -> ((int[]) storage)[i];
            case UINT64, INT64 -> ((long[]) storage)[i];
            default -> throw new IllegalStateException("not an integer array: " + elementType);
        };
    }

    static Object unsigned64(long v) {
        return v >= 0 ? (Object) v : BigInteger.valueOf(v).add(TWO_64);
    }

    /** The primitive or object array behind this list; callers must not modify it. */
    Object storage() {
        return storage;
    }
}
