package io.quokka.gotemplate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Go-flavoured views of Java values: kinds, truth, length. Kept in one place so the executor,
 * builtins, fmt and json agree on what each Java type stands for.
 */
public final class GoValues {
    private GoValues() {}

    /** Typed nils: a nil slice or map is a valid, empty value; a nil pointer is not dereferenceable. */
    public enum Nil { SLICE, MAP, POINTER }

    /** A Go named type over a slice or map (e.g. Ollama's templateArgs) that may add String()/MarshalJSON. */
    public interface Named {
        /** The underlying List/Map, or a {@link Nil} when nil. Never null. */
        Object underlying();
    }

    /** Go's fmt.Stringer. */
    public interface Stringer {
        String goString();
    }

    /** Go's json.Marshaler: returns compact JSON. */
    public interface JsonMarshaler {
        String marshalJson();
    }

    enum Kind { INVALID, BOOL, INT, FLOAT, STRING, SLICE, MAP, STRUCT, NIL_POINTER, OTHER }

    static Object indirect(Object v) {
        return v instanceof Named n ? n.underlying() : v;
    }

    static Kind kind(Object v) {
        v = indirect(v);
        return switch (v) {
            case null -> Kind.INVALID;
            case String s -> Kind.STRING;
            case Boolean b -> Kind.BOOL;
            case Long l -> Kind.INT;
            case Integer n -> Kind.INT;
            case Short n -> Kind.INT;
            case Byte n -> Kind.INT;
            case BigInteger n -> Kind.INT;
            case Double d -> Kind.FLOAT;
            case Float f -> Kind.FLOAT;
            case BigDecimal d -> Kind.FLOAT;
            case List<?> l -> Kind.SLICE;
            case byte[] b -> Kind.SLICE;
            case Map<?, ?> m -> Kind.MAP;
            case GoStruct s -> Kind.STRUCT;
            case Nil n -> switch (n) {
                case SLICE -> Kind.SLICE;
                case MAP -> Kind.MAP;
                case POINTER -> Kind.NIL_POINTER;
            };
            default -> Kind.OTHER;
        };
    }

    /** Go's isTrue: the value is not the zero of its type. Structs are always true. */
    static boolean truth(Object v) {
        Object u = indirect(v);
        return switch (kind(u)) {
            case INVALID, NIL_POINTER -> false;
            case BOOL -> (Boolean) u;
            case INT -> ((Number) u).longValue() != 0 || (u instanceof BigInteger b && b.signum() != 0);
            case FLOAT -> ((Number) u).doubleValue() != 0;
            case STRING -> !((String) u).isEmpty();
            case SLICE, MAP -> length(u) > 0;
            case STRUCT, OTHER -> true;
        };
    }

    /** len() for strings (UTF-8 bytes), slices and maps; -1 for types without a length. */
    static int length(Object v) {
        v = indirect(v);
        return switch (v) {
            case String s -> GoStrings.byteLength(s);
            case List<?> l -> l.size();
            case byte[] b -> b.length;
            case Map<?, ?> m -> m.size();
            case Nil n when n != Nil.POINTER -> 0;
            case null, default -> -1;
        };
    }

    static List<?> asList(Object v) {
        v = indirect(v);
        if (v instanceof List<?> l) return l;
        if (v instanceof byte[] b) {
            Long[] out = new Long[b.length];
            for (int i = 0; i < b.length; i++) out[i] = (long) (b[i] & 0xff);
            return List.of(out);
        }
        return List.of();
    }

    static Map<?, ?> asMap(Object v) {
        v = indirect(v);
        return v instanceof Map<?, ?> m ? m : Map.of();
    }

    /** Go type name for error messages; approximate for Java collections. */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "interface {}";
            case GoStruct s -> s.goTypeName();
            case String s -> "string";
            case Boolean b -> "bool";
            case Double d -> "float64";
            case Float f -> "float32";
            case BigDecimal d -> "float64";
            case Number n -> "int";
            case byte[] b -> "[]uint8";
            case List<?> l -> "[]interface {}";
            case Map<?, ?> m -> "map[string]interface {}";
            case Nil n -> switch (n) {
                case SLICE -> "[]interface {}";
                case MAP -> "map[string]interface {}";
                case POINTER -> "*struct";
            };
            default -> v.getClass().getSimpleName();
        };
    }
}
