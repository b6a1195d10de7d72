package io.quokka.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for the decimal spellings (no sign, no leading zeros) of the whole numbers in a range, the way
 * regular-expression generators for numeric ranges do it: split by digit count, then by the first differing digit.
 */
final class Digits {
    private Digits() {}

    /** The largest magnitude written without bounds from the schema: 16 digits, like llama.cpp's integral part. */
    static final long MAX = 9_999_999_999_999_999L;

    /** An expression matching exactly the numbers {@code lo..hi} ({@code 0 <= lo <= hi <= MAX}). */
    static String range(long lo, long hi) {
        if (lo < 0 || lo > hi || hi > MAX) throw new IllegalArgumentException(lo + ".." + hi);
        List<String> alternatives = new ArrayList<>();
        int from = Long.toString(lo).length();
        int to = Long.toString(hi).length();
        for (int digits = from; digits <= to; digits++) {
            long first = digits == 1 ? 0 : pow10(digits - 1);
            long last = pow10(digits) - 1;
            sameLength(Long.toString(Math.max(lo, first)), Long.toString(Math.min(hi, last)), alternatives);
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" | ", alternatives) + ")";
    }

    /** Alternatives for the digit strings between {@code a} and {@code b}, both of one length (leading zeros kept). */
    private static void sameLength(String a, String b, List<String> out) {
        int n = a.length();
        int p = 0;
        while (p < n && a.charAt(p) == b.charAt(p)) p++;
        String prefix = p == 0 ? "" : "\"" + a.substring(0, p) + "\" ";
        if (p == n) {
            out.add(("\"" + a + "\""));
            return;
        }
        char x = a.charAt(p);
        char y = b.charAt(p);
        int rest = n - p - 1;
        String restA = a.substring(p + 1);
        String restB = b.substring(p + 1);
        if (rest == 0) {
            out.add(prefix + digitClass(x, y));
            return;
        }
        boolean aZeros = restA.chars().allMatch(c -> c == '0');
        boolean bNines = restB.chars().allMatch(c -> c == '9');
        String any = "[0-9]" + (rest == 1 ? "" : "{" + rest + "}");
        if (aZeros && bNines) {
            out.add(prefix + digitClass(x, y) + " " + any);
            return;
        }
        char low = x;
        if (!aZeros) {
            sub(prefix + "[" + x + "] ", restA, "9".repeat(rest), out);
            low = (char) (x + 1);
        }
        char high = bNines ? y : (char) (y - 1);
        if (low <= high) out.add(prefix + digitClass(low, high) + " " + any);
        if (!bNines) sub(prefix + "[" + y + "] ", "0".repeat(rest), restB, out);
    }

    private static void sub(String prefix, String a, String b, List<String> out) {
        List<String> inner = new ArrayList<>();
        sameLength(a, b, inner);
        out.add(prefix + (inner.size() == 1 ? inner.getFirst() : "(" + String.join(" | ", inner) + ")"));
    }

    private static String digitClass(char from, char to) {
        return from == to ? "[" + from + "]" : "[" + from + "-" + to + "]";
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) v *= 10;
        return v;
    }
}
