package io.quokka.gotemplate;

import io.quokka.gotemplate.GoValues.Nil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The parts of Go's fmt package templates reach: %v printing, Sprint, Sprintln, Sprintf. */
public final class GoFmt {
    private GoFmt() {}

    /** fmt.Sprint(v) for one operand, i.e. %v. */
    public static String sprint1(Object v) {
        StringBuilder sb = new StringBuilder();
        printValue(sb, v, 0);
        return sb.toString();
    }

    /** fmt.Sprint: spaces between operands when neither side is a string. */
    static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        boolean prevString = false;
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            boolean isString = a instanceof String;
            if (i > 0 && !isString && !prevString) sb.append(' ');
            printValue(sb, a, 0);
            prevString = isString;
        }
        return sb.toString();
    }

    /** fmt.Sprintln: always spaces, trailing newline. */
    static String sprintln(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) sb.append(' ');
            printValue(sb, args.get(i), 0);
        }
        return sb.append('\n').toString();
    }

    /** %v. Stringers win at every depth, as fmt's handleMethods does. */
    static void printValue(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case null -> sb.append("<nil>");
            case GoValues.Stringer s -> sb.append(s.goString());
            case GoValues.Named n -> printValue(sb, n.underlying(), depth);
            case String s -> sb.append(s);
            case Boolean b -> sb.append(b);
            case Double d -> sb.append(formatFloat(d, 'g', -1, 64));
            case Float f -> sb.append(formatFloat(f, 'g', -1, 32));
            case BigDecimal d -> sb.append(formatFloat(d.doubleValue(), 'g', -1, 64));
            case Number n -> sb.append(n);
            case byte[] bytes -> {
                sb.append('[');
                for (int i = 0; i < bytes.length; i++) {
                    if (i > 0) sb.append(' ');
                    sb.append(bytes[i] & 0xff);
                }
                sb.append(']');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(' ');
                    printValue(sb, l.get(i), depth + 1);
                }
                sb.append(']');
            }
            case Map<?, ?> m -> {
                sb.append("map[");
                boolean first = true;
                for (Object k : sortedKeys(m)) {
                    if (!first) sb.append(' ');
                    first = false;
                    printValue(sb, k, depth + 1);
                    sb.append(':');
                    printValue(sb, m.get(k), depth + 1);
                }
                sb.append(']');
            }
            case GoStruct s -> {
                sb.append('{');
                boolean first = true;
                for (GoStruct.GoField f : s.goFields()) {
                    if (!first) sb.append(' ');
                    first = false;
                    printValue(sb, s.goField(f.name()), depth + 1);
                }
                sb.append('}');
            }
            case Nil n -> sb.append(switch (n) {
                case SLICE -> "[]";
                case MAP -> "map[]";
                case POINTER -> "<nil>";
            });
            default -> sb.append(v);
        }
    }

    /** Map keys in Go's fmtsort order (strings by bytes, which code-point order matches). */
    static List<Object> sortedKeys(Map<?, ?> m) {
        List<Object> keys = new ArrayList<>(m.keySet());
        keys.sort(GoFmt::compareKeys);
        return keys;
    }

    private static int compareKeys(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
        return compareCodePoints(String.valueOf(a), String.valueOf(b));
    }

    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    // ---------------------------------------------------------------- floats

    /** Shortest decimal digits and decimal-point position of |v| (like strconv's decimal). */
    private record Digits(String d, int dp) {}

    private static Digits shortest(double v, int bits) {
        String s = bits == 32 ? Float.toString((float) Math.abs(v)) : Double.toString(Math.abs(v));
        BigDecimal bd = new BigDecimal(s);
        return digitsOf(bd);
    }

    private static Digits digitsOf(BigDecimal bd) {
        if (bd.signum() == 0) return new Digits("0", 1);
        bd = bd.stripTrailingZeros();
        String d = bd.unscaledValue().abs().toString();
        return new Digits(d, d.length() - bd.scale());
    }

    /**
     * strconv.FormatFloat for fmt 'e', 'f', 'g' with prec -1 (shortest) or an explicit precision.
     */
    static String formatFloat(double v, char fmt, int prec, int bits) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        boolean shortest = prec < 0;
        Digits digs;
        if (shortest) {
            digs = shortest(v, bits);
        } else {
            BigDecimal exact = new BigDecimal(Math.abs(v));
            digs = switch (fmt) {
                case 'e' -> round(exact, prec + 1);
                case 'f' -> {
                    BigDecimal r = exact.setScale(prec, RoundingMode.HALF_EVEN);
                    yield digitsOf(r);
                }
                default -> round(exact, prec == 0 ? 1 : prec);
            };
        }
        StringBuilder sb = new StringBuilder();
        if (neg) sb.append('-');
        switch (fmt) {
            case 'e' -> fmtE(sb, digs, shortest ? digs.d.length() - 1 : prec);
            case 'f' -> fmtF(sb, digs, shortest ? Math.max(digs.d.length() - digs.dp, 0) : prec);
            default -> {
                int eprec = prec;
                if (eprec > digs.d.length() && digs.d.length() >= digs.dp) eprec = digs.d.length();
                if (shortest) eprec = 6;
                int exp = digs.dp - 1;
                if (exp < -4 || exp >= eprec) {
                    fmtE(sb, digs, (shortest ? digs.d.length() : Math.min(prec, digs.d.length())) - 1);
                } else {
                    fmtF(sb, digs, Math.max((shortest ? digs.d.length() : Math.min(prec, digs.d.length())) - digs.dp, 0));
                }
            }
        }
        return sb.toString();
    }

    private static Digits round(BigDecimal exact, int sig) {
        if (exact.signum() == 0) return new Digits("0", 1);
        BigDecimal r = exact.round(new java.math.MathContext(sig, RoundingMode.HALF_EVEN));
        return digitsOf(r);
    }

    private static void fmtE(StringBuilder sb, Digits digs, int prec) {
        String d = digs.d;
        sb.append(d.charAt(0));
        if (prec > 0) {
            sb.append('.');
            for (int i = 1; i <= prec; i++) sb.append(i < d.length() ? d.charAt(i) : '0');
        }
        int exp = d.equals("0") ? 0 : digs.dp - 1;
        sb.append('e').append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) sb.append('0');
        sb.append(exp);
    }

    private static void fmtF(StringBuilder sb, Digits digs, int prec) {
        String d = digs.d;
        if (digs.dp > 0) {
            for (int i = 0; i < digs.dp; i++) sb.append(i < d.length() ? d.charAt(i) : '0');
        } else {
            sb.append('0');
        }
        if (prec > 0) {
            sb.append('.');
            for (int i = 0; i < prec; i++) {
                int j = digs.dp + i;
                sb.append(j >= 0 && j < d.length() ? d.charAt(j) : '0');
            }
        }
    }

    // ---------------------------------------------------------------- quoting

    /** strconv.Quote. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) sb.append(String.format("\\x%02x", cp));
                    else if (cp == 0xFFFD || isPrint(cp)) sb.appendCodePoint(cp);
                    else if (cp < 0x10000) sb.append(String.format("\\u%04x", cp));
                    else sb.append(String.format("\\U%08x", cp));
                }
            }
        });
        return sb.append('"').toString();
    }

    static boolean isPrint(int cp) {
        if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
        int t = Character.getType(cp);
        return t != Character.CONTROL && t != Character.FORMAT && t != Character.UNASSIGNED
                && t != Character.SURROGATE && t != Character.PRIVATE_USE
                && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
                && !(t == Character.SPACE_SEPARATOR && cp != 0x3000 && cp != 0x20);
    }

    /** fmt's %#U: U+0041 'A'. */
    static String unicodeRepr(int cp) {
        String hex = String.format("U+%04X", cp);
        return isPrint(cp) ? hex + " '" + new String(Character.toChars(cp)) + "'" : hex;
    }

    // ---------------------------------------------------------------- Sprintf

    /** fmt.Sprintf for the verbs templates use: v s d q t f e g x X c o b and %%, with flags and width. */
    static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        int n = format.length();
        for (int i = 0; i < n; ) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            boolean minus = false, plus = false, zero = false, sharp = false, space = false;
            for (; i < n; i++) {
                char f = format.charAt(i);
                if (f == '-') minus = true;
                else if (f == '+') plus = true;
                else if (f == '0') zero = true;
                else if (f == '#') sharp = true;
                else if (f == ' ') space = true;
                else break;
            }
            int width = -1, prec = -1;
            if (i < n && format.charAt(i) == '*') {
                i++;
                if (argi < args.size() && args.get(argi) instanceof Number w) width = w.intValue();
                argi++;
            } else {
                int st = i;
                while (i < n && Character.isDigit(format.charAt(i))) i++;
                if (i > st) width = Integer.parseInt(format.substring(st, i));
            }
            if (i < n && format.charAt(i) == '.') {
                i++;
                if (i < n && format.charAt(i) == '*') {
                    i++;
                    if (argi < args.size() && args.get(argi) instanceof Number p) prec = p.intValue();
                    argi++;
                } else {
                    int st = i;
                    while (i < n && Character.isDigit(format.charAt(i))) i++;
                    prec = i > st ? Integer.parseInt(format.substring(st, i)) : 0;
                }
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argi >= args.size()) {
                out.append("%!").appendCodePoint(verb).append("(MISSING)");
                continue;
            }
            Object arg = args.get(argi++);
            String body = formatOne(verb, arg, prec, plus, sharp, space);
            if (body == null) {
                out.append("%!").appendCodePoint(verb).append('(').append(typeForBadVerb(arg)).append(')');
                continue;
            }
            pad(out, body, width, minus, zero && !minus && (isNumeric(arg) || verb == 'v' && isNumeric(arg)));
        }
        if (argi < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argi; k < args.size(); k++) {
                if (k > argi) out.append(", ");
                out.append(typeForBadVerb(args.get(k)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static boolean isNumeric(Object a) {
        return a instanceof Number;
    }

    private static String typeForBadVerb(Object a) {
        if (a == null) return "<nil>";
        return GoValues.typeName(a) + "=" + sprint1(a);
    }

    private static void pad(StringBuilder out, String body, int width, boolean left, boolean zeros) {
        int len = body.codePointCount(0, body.length());
        if (width <= len) {
            out.append(body);
            return;
        }
        String fill = (zeros ? "0" : " ").repeat(width - len);
        if (left) out.append(body).append(fill);
        else if (zeros && (body.startsWith("-") || body.startsWith("+"))) out.append(body.charAt(0)).append(fill).append(body, 1, body.length());
        else out.append(fill).append(body);
    }

    private static String formatOne(int verb, Object arg, int prec, boolean plus, boolean sharp, boolean space) {
        Object u = arg instanceof GoValues.Named nm && !(arg instanceof GoValues.Stringer) ? nm.underlying() : arg;
        switch (verb) {
            case 'v': {
                if (u instanceof Double || u instanceof Float) {
                    String s = formatFloat(((Number) u).doubleValue(), 'g', prec, u instanceof Float ? 32 : 64);
                    return plus && !s.startsWith("-") ? "+" + s : s;
                }
                if (plus && u instanceof Number nn && nn.doubleValue() >= 0 && !(u instanceof Double)) return "+" + u;
                return sprint1(u);
            }
            case 's': {
                if (u instanceof Number || u instanceof Boolean) return null;
                String s = sprint1(u);
                return prec >= 0 && s.codePointCount(0, s.length()) > prec ? s.substring(0, s.offsetByCodePoints(0, prec)) : s;
            }
            case 'q': {
                if (u instanceof String || u instanceof GoValues.Stringer) return quote(sprint1(u));
                if (u instanceof Long || u instanceof Integer) return "'" + new String(Character.toChars(((Number) u).intValue())) + "'";
                return null;
            }
            case 'd': {
                if (isIntegral(u)) {
                    String s = u.toString();
                    return plus && !s.startsWith("-") ? "+" + s : s;
                }
                if (u instanceof List<?> l) return listOf(l, x -> formatOne('d', x, prec, plus, sharp, space));
                return null;
            }
            case 't':
                return u instanceof Boolean ? u.toString() : null;
            case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': {
                if (!(u instanceof Number nn) || isIntegral(u)) return null;
                char f = Character.toLowerCase((char) verb);
                String s = formatFloat(nn.doubleValue(), f, f == 'g' ? prec : (prec < 0 ? 6 : prec), u instanceof Float ? 32 : 64);
                if (Character.isUpperCase(verb)) s = s.toUpperCase();
                return plus && !s.startsWith("-") ? "+" + s : s;
            }
            case 'x': case 'X': {
                String s;
                if (isIntegral(u)) {
                    BigInteger b = new BigInteger(u.toString());
                    s = (b.signum() < 0 ? "-" : "") + (sharp ? "0x" : "") + b.abs().toString(16);
                } else if (u instanceof String str) {
                    StringBuilder sb = new StringBuilder();
                    for (byte b : str.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", b & 0xff));
                    s = sb.toString();
                } else if (u instanceof byte[] bytes) {
                    StringBuilder sb = new StringBuilder();
                    for (byte b : bytes) sb.append(String.format("%02x", b & 0xff));
                    s = sb.toString();
                } else return null;
                return verb == 'X' ? s.toUpperCase() : s;
            }
            case 'o': return isIntegral(u) ? new BigInteger(u.toString()).toString(8) : null;
            case 'b': return isIntegral(u) ? new BigInteger(u.toString()).toString(2) : null;
            case 'c': return isIntegral(u) ? new String(Character.toChars(((Number) u).intValue())) : null;
            case 'T': return arg == null ? "<nil>" : GoValues.typeName(arg);
            default: return null;
        }
    }

    private static String listOf(List<?> l, java.util.function.Function<Object, String> f) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(' ');
            String s = f.apply(l.get(i));
            if (s == null) return null;
            sb.append(s);
        }
        return sb.append(']').toString();
    }

    private static boolean isIntegral(Object u) {
        return u instanceof Long || u instanceof Integer || u instanceof Short || u instanceof Byte || u instanceof BigInteger;
    }
}
