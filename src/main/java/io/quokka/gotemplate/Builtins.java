package io.quokka.gotemplate;

import io.quokka.gotemplate.GoValues.Kind;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** text/template's predefined functions (funcs.go). {@code and}/{@code or} are special-cased by the executor. */
public final class Builtins {
    private Builtins() {}

    public static Map<String, Func> all() {
        Map<String, Func> m = new HashMap<>();
        add(m, new Func("and", 1, -1, false, a -> { throw new IllegalStateException(); }));
        add(m, new Func("or", 1, -1, false, a -> { throw new IllegalStateException(); }));
        add(m, new Func("not", 1, 1, false, a -> !GoValues.truth(a.getFirst())));
        add(m, new Func("len", 1, 1, false, Builtins::len));
        add(m, new Func("index", 1, -1, false, Builtins::index));
        add(m, new Func("slice", 1, -1, false, Builtins::slice));
        add(m, new Func("eq", 1, -1, false, Builtins::eq));
        add(m, new Func("ne", 2, 2, false, a -> !(Boolean) eq(a)));
        add(m, new Func("lt", 2, 2, false, a -> lt(a.get(0), a.get(1))));
        add(m, new Func("le", 2, 2, false, a -> lt(a.get(0), a.get(1)) || (Boolean) eq(a)));
        add(m, new Func("gt", 2, 2, false, a -> !(lt(a.get(0), a.get(1)) || (Boolean) eq(a))));
        add(m, new Func("ge", 2, 2, false, a -> !lt(a.get(0), a.get(1))));
        add(m, new Func("print", 0, -1, false, GoFmt::sprint));
        add(m, new Func("println", 0, -1, false, GoFmt::sprintln));
        add(m, new Func("printf", 1, -1, false, a -> {
            if (!(a.getFirst() instanceof String f)) throw new Func.CallError("wrong type for value; expected string; got " + GoValues.typeName(a.getFirst()));
            return GoFmt.sprintf(f, a.subList(1, a.size()));
        }));
        add(m, new Func("html", 0, -1, false, a -> htmlEscape(evalArgs(a))));
        add(m, new Func("js", 0, -1, false, a -> jsEscape(evalArgs(a))));
        add(m, new Func("urlquery", 0, -1, false, a -> URLEncoder.encode(evalArgs(a), StandardCharsets.UTF_8)));
        add(m, new Func("call", 1, -1, false, a -> {
            throw new Func.CallError("non-function of type " + GoValues.typeName(a.getFirst()));
        }));
        return m;
    }

    private static void add(Map<String, Func> m, Func f) {
        m.put(f.name(), f);
    }

    /** Like fmt.Sprint but nil operands print as {@code <no value>} (printableValue), as html/js/urlquery do. */
    private static String evalArgs(List<Object> args) {
        if (args.size() == 1 && args.getFirst() instanceof String s) return s;
        List<Object> a = new ArrayList<>(args.size());
        for (Object o : args) a.add(o == null ? "<no value>" : o);
        return GoFmt.sprint(a);
    }

    private static Object len(List<Object> a) {
        Object v = a.getFirst();
        if (GoValues.kind(v) == Kind.NIL_POINTER) throw new Func.CallError("len of nil pointer");
        int n = GoValues.length(v);
        if (n < 0) throw new Func.CallError(v == null ? "len of untyped nil" : "len of type " + GoValues.typeName(v));
        return (long) n;
    }

    private static int indexArg(Object index, int cap) {
        long x;
        if (index instanceof Long || index instanceof Integer || index instanceof Short || index instanceof Byte) {
            x = ((Number) index).longValue();
        } else if (index instanceof BigInteger b) {
            x = b.bitLength() < 63 ? b.longValue() : Long.MAX_VALUE;
        } else if (index == null) {
            throw new Func.CallError("cannot index slice/array with nil");
        } else {
            throw new Func.CallError("cannot index slice/array with type " + GoValues.typeName(index));
        }
        if (x < 0 || x > cap) throw new Func.CallError("index out of range: " + x);
        return (int) x;
    }

    private static Object index(List<Object> a) {
        Object item = a.getFirst();
        if (item == null) throw new Func.CallError("index of untyped nil");
        for (Object index : a.subList(1, a.size())) {
            Object u = GoValues.indirect(item);
            switch (GoValues.kind(u)) {
                case NIL_POINTER -> throw new Func.CallError("index of nil pointer");
                case STRING -> {
                    byte[] b = ((String) u).getBytes(StandardCharsets.UTF_8);
                    int x = indexArg(index, b.length);
                    if (x == b.length) throw new Func.CallError("index out of range: " + x);
                    item = (long) (b[x] & 0xff);
                }
                case SLICE -> {
                    List<?> l = GoValues.asList(u);
                    int x = indexArg(index, l.size());
                    if (x == l.size()) throw new Func.CallError("index out of range: " + x);
                    item = l.get(x);
                }
                case MAP -> {
                    if (index != null && !(index instanceof String)) {
                        throw new Func.CallError("value has type " + GoValues.typeName(index) + "; should be string");
                    }
                    item = GoValues.asMap(u).get(index == null ? "" : index);
                }
                default -> throw new Func.CallError("can't index item of type " + GoValues.typeName(item));
            }
        }
        return item;
    }

    private static Object slice(List<Object> a) {
        Object item = a.getFirst();
        if (item == null) throw new Func.CallError("slice of untyped nil");
        List<Object> idx = a.subList(1, a.size());
        if (idx.size() > 3) throw new Func.CallError("too many slice indexes: " + idx.size());
        Object u = GoValues.indirect(item);
        int len;
        byte[] bytes = null;
        List<?> list = null;
        switch (GoValues.kind(u)) {
            case STRING -> {
                if (idx.size() == 3) throw new Func.CallError("cannot 3-index slice a string");
                bytes = ((String) u).getBytes(StandardCharsets.UTF_8);
                len = bytes.length;
            }
            case SLICE -> {
                list = GoValues.asList(u);
                len = list.size();
            }
            default -> throw new Func.CallError("can't slice item of type " + GoValues.typeName(item));
        }
        int[] ix = {0, len, len};
        for (int i = 0; i < idx.size(); i++) ix[i] = indexArg(idx.get(i), len);
        if (ix[0] > ix[1]) throw new Func.CallError("invalid slice index: " + ix[0] + " > " + ix[1]);
        if (idx.size() == 3 && ix[1] > ix[2]) throw new Func.CallError("invalid slice index: " + ix[1] + " > " + ix[2]);
        if (bytes != null) return new String(Arrays.copyOfRange(bytes, ix[0], ix[1]), StandardCharsets.UTF_8);
        if (u instanceof byte[] b) return Arrays.copyOfRange(b, ix[0], ix[1]);
        return list.subList(ix[0], ix[1]);
    }

    // ---- comparisons (funcs.go eq/lt): basic kinds only; int vs float is an error ----

    private enum Basic { INVALID, BOOL, INT, FLOAT, STRING, OTHER }

    private static Basic basic(Object v) {
        return switch (GoValues.kind(v)) {
            case INVALID -> Basic.INVALID;
            case BOOL -> Basic.BOOL;
            case INT -> Basic.INT;
            case FLOAT -> Basic.FLOAT;
            case STRING -> Basic.STRING;
            default -> Basic.OTHER;
        };
    }

    private static final String BAD_TYPE = "invalid type for comparison";
    private static final String BAD_COMPARISON = "incompatible types for comparison";

    private static Object eq(List<Object> a) {
        Object a1 = GoValues.indirect(a.getFirst());
        if (a.size() < 2) throw new Func.CallError("missing argument for comparison");
        Basic k1 = basic(a1);
        for (Object o : a.subList(1, a.size())) {
            Object a2 = GoValues.indirect(o);
            Basic k2 = basic(a2);
            boolean truth;
            if (k1 != k2) {
                if (a1 != null && a2 != null) throw new Func.CallError(BAD_COMPARISON);
                truth = false;
            } else {
                truth = switch (k1) {
                    case BOOL, STRING -> a1.equals(a2);
                    case INT -> toBig(a1).equals(toBig(a2));
                    case FLOAT -> ((Number) a1).doubleValue() == ((Number) a2).doubleValue();
                    case INVALID -> true;
                    case OTHER -> {
                        // Go compares non-basic comparable values (structs) with ==; slices and maps are not comparable.
                        if (GoValues.kind(a1) == Kind.SLICE || GoValues.kind(a1) == Kind.MAP) {
                            throw new Func.CallError("non-comparable type " + GoFmt.sprint1(a1) + ": " + GoValues.typeName(a1));
                        }
                        yield a1.equals(a2);
                    }
                };
            }
            if (truth) return true;
        }
        return false;
    }

    private static boolean lt(Object x, Object y) {
        Object a1 = GoValues.indirect(x), a2 = GoValues.indirect(y);
        Basic k1 = basic(a1), k2 = basic(a2);
        if (k1 == Basic.INVALID || k1 == Basic.OTHER || k2 == Basic.INVALID || k2 == Basic.OTHER) throw new Func.CallError(BAD_TYPE);
        if (k1 != k2) throw new Func.CallError(BAD_COMPARISON);
        return switch (k1) {
            case BOOL -> throw new Func.CallError(BAD_TYPE);
            case INT -> toBig(a1).compareTo(toBig(a2)) < 0;
            case FLOAT -> ((Number) a1).doubleValue() < ((Number) a2).doubleValue();
            case STRING -> GoFmt.compareCodePoints((String) a1, (String) a2) < 0;
            default -> throw new Func.CallError(BAD_TYPE);
        };
    }

    private static BigInteger toBig(Object n) {
        return n instanceof BigInteger b ? b : BigInteger.valueOf(((Number) n).longValue());
    }

    // ---- escapers ----

    static String htmlEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\0' -> sb.append("\uFFFD");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String jsEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '"' -> sb.append("\\\"");
                case '<' -> sb.append("\\u003C");
                case '>' -> sb.append("\\u003E");
                case '&' -> sb.append("\\u0026");
                case '=' -> sb.append("\\u003D");
                default -> {
                    if (cp < ' ') sb.append(String.format("\\u%04X", cp));
                    else if (cp < 0x80 || GoFmt.isPrint(cp)) sb.appendCodePoint(cp);
                    else sb.append(String.format("\\u%04X", cp));
                }
            }
        }
        return sb.toString();
    }
}
