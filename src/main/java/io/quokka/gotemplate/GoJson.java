package io.quokka.gotemplate;

import io.quokka.gotemplate.GoValues.Nil;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Go's encoding/json Marshal: compact, struct fields in declaration order honouring json tags and
 * omitempty, map keys sorted, HTML-sensitive characters escaped as {@code \u003c} etc.
 */
public final class GoJson {
    private GoJson() {}

    /** Thrown for values Go cannot encode (NaN, Inf); Ollama's json func then yields "". */
    public static final class UnsupportedValue extends RuntimeException {
        UnsupportedValue(String m) { super(m, null, false, false); }
    }

    public static String marshal(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    public static void write(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case GoValues.JsonMarshaler m -> sb.append(m.marshalJson());
            case GoValues.Named n -> write(sb, n.underlying());
            case Nil n -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> number(sb, d, 64);
            case Float f -> number(sb, f, 32);
            case BigDecimal d -> number(sb, d.doubleValue(), 64);
            case Number n -> sb.append(n);
            case byte[] b -> sb.append('"').append(Base64.getEncoder().encodeToString(b)).append('"');
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Object k : GoFmt.sortedKeys(m)) {
                    if (!first) sb.append(',');
                    first = false;
                    string(sb, String.valueOf(k));
                    sb.append(':');
                    write(sb, m.get(k));
                }
                sb.append('}');
            }
            case GoStruct s -> {
                sb.append('{');
                boolean first = true;
                for (GoStruct.GoField f : s.goFields()) {
                    if ("-".equals(f.json())) continue;
                    Object fv = s.goField(f.name());
                    if (f.omitEmpty() && isEmpty(fv)) continue;
                    if (!first) sb.append(',');
                    first = false;
                    string(sb, f.jsonKey());
                    sb.append(':');
                    write(sb, fv);
                }
                sb.append('}');
            }
            default -> string(sb, v.toString());
        }
    }

    /** omitempty: false, 0, nil pointer/interface, and any empty array, slice, map, or string. */
    private static boolean isEmpty(Object v) {
        Object u = GoValues.indirect(v);
        return switch (u) {
            case null -> true;
            case Nil n -> true;
            case String s -> s.isEmpty();
            case Boolean b -> !b;
            case Number n -> n.doubleValue() == 0;
            case List<?> l -> l.isEmpty();
            case byte[] b -> b.length == 0;
            case Map<?, ?> m -> m.isEmpty();
            default -> false;
        };
    }

    private static void number(StringBuilder sb, double f, int bits) {
        if (Double.isNaN(f) || Double.isInfinite(f)) throw new UnsupportedValue("json: unsupported value: " + f);
        double abs = Math.abs(f);
        char fmt = 'f';
        if (abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && ((float) abs < 1e-6f || (float) abs >= 1e21f))) {
            fmt = 'e';
        }
        String s = GoFmt.formatFloat(f, fmt, -1, bits);
        if (fmt == 'e') {
            int n = s.length();
            // clean up e-09 to e-9
            if (n >= 4 && s.charAt(n - 4) == 'e' && s.charAt(n - 3) == '-' && s.charAt(n - 2) == '0') {
                s = s.substring(0, n - 2) + s.charAt(n - 1);
            }
        }
        sb.append(s);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '<', '>', '&', '\u2028', '\u2029' -> unicode(sb, c);
                default -> {
                    if (c < 0x20) unicode(sb, c);
                    else if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append("\\ufffd"); // invalid UTF-16 is invalid UTF-8 in Go
                        }
                    } else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    private static void unicode(StringBuilder sb, char c) {
        sb.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
    }
}
