package io.quokka.gguf;

import java.math.BigInteger;
import java.util.List;

/** Converts Java values to GGUF metadata values, checking ranges, so the writer never silently truncates. */
final class Values {
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Values() {}

    /**
     * The value as the bit pattern to store for an integer type (UINT64 above Long.MAX_VALUE comes back negative).
     */
    static long integer(ValueType type, Object value) {
        if (!(value instanceof Number n) || value instanceof Float || value instanceof Double) {
            throw new IllegalArgumentException("expected an integer for " + type + ", got " + describe(value));
        }
        if (type == ValueType.UINT64) {
            BigInteger b = n instanceof BigInteger big ? big : BigInteger.valueOf(n.longValue());
            if (b.signum() < 0 || b.compareTo(MAX_U64) > 0) {
                throw new IllegalArgumentException(b + " does not fit UINT64");
            }
            return b.longValue();
        }
        long v;
        if (n instanceof BigInteger big) {
            if (big.bitLength() > 63) {
                throw new IllegalArgumentException(big + " does not fit " + type);
            }
            v = big.longValue();
        } else {
            v = n.longValue();
        }
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 0xFF; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xFFFF; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case INT64 -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " does not fit " + type);
        }
        return v;
    }

    static double real(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("expected a number, got " + describe(value));
    }

    static boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("expected a Boolean, got " + describe(value));
    }

    static String string(Object value) {
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        throw new IllegalArgumentException("expected a String, got " + describe(value));
    }

    static GgufArray array(Object value) {
        return switch (value) {
            case GgufArray a -> a;
            case List<?> list when !list.isEmpty() -> GgufArray.of(inferType(list.getFirst()), list);
            case List<?> list -> throw new IllegalArgumentException(
                    "cannot infer the element type of an empty list; use GgufArray.of(type, list)");
            default -> throw new IllegalArgumentException("expected a List, got " + describe(value));
        };
    }

    /** The GGUF type a Java value is written as when no type is given. */
    static ValueType inferType(Object value) {
        return switch (value) {
            case String s -> ValueType.STRING;
            case Boolean b -> ValueType.BOOL;
            case Byte b -> ValueType.INT8;
            case Short s -> ValueType.INT16;
            case Integer i -> ValueType.INT32;
            case Long l -> ValueType.INT64;
            case BigInteger b -> ValueType.UINT64;
            case Float f -> ValueType.FLOAT32;
            case Double d -> ValueType.FLOAT64;
            case List<?> l -> ValueType.ARRAY;
            case null -> throw new IllegalArgumentException("metadata values cannot be null");
            default -> throw new IllegalArgumentException("no GGUF type for " + describe(value));
        };
    }

    /** The value converted to the canonical Java representation of {@code type} (see {@link ValueType}). */
    static Object canonical(ValueType type, Object value) {
        return switch (type) {
            case UINT8, INT16 -> (short) integer(type, value);
            case INT8 -> (byte) integer(type, value);
            case UINT16, INT32 -> (int) integer(type, value);
            case UINT32, INT64 -> integer(type, value);
            case UINT64 -> GgufArray.unsigned64(integer(type, value));
            case FLOAT32 -> (float) real(value);
            case FLOAT64 -> real(value);
            case BOOL -> bool(value);
            case STRING -> string(value);
            case ARRAY -> array(value);
        };
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
    }
}
