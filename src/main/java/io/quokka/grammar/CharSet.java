package io.quokka.grammar;

import java.util.ArrayList;
import java.util.List;

/** An immutable set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges. */
record CharSet(List<int[]> ranges) {
    static final int MAX = 0x10FFFF;
    static final CharSet EMPTY = new CharSet(List.of());

    static CharSet of(int from, int to) {
        return new CharSet(List.<int[]>of(new int[] {from, to}));
    }

    static CharSet of(int cp) {
        return of(cp, cp);
    }

    static CharSet ofChars(String chars) {
        CharSet s = EMPTY;
        for (int cp : chars.codePoints().toArray()) s = s.union(of(cp));
        return s;
    }

    CharSet union(CharSet other) {
        List<int[]> all = new ArrayList<>(ranges);
        all.addAll(other.ranges);
        all.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> out = new ArrayList<>();
        for (int[] r : all) {
            if (!out.isEmpty() && r[0] <= out.getLast()[1] + 1) {
                int[] last = out.getLast();
                out.set(out.size() - 1, new int[] {last[0], Math.max(last[1], r[1])});
            } else {
                out.add(r.clone());
            }
        }
        return new CharSet(List.copyOf(out));
    }

    CharSet complement() {
        List<int[]> out = new ArrayList<>();
        int next = 0;
        for (int[] r : ranges) {
            if (r[0] > next) out.add(new int[] {next, r[0] - 1});
            next = r[1] + 1;
        }
        if (next <= MAX) out.add(new int[] {next, MAX});
        return new CharSet(List.copyOf(out));
    }

    CharSet minus(CharSet other) {
        return complement().union(other).complement();
    }

    CharSet intersect(CharSet other) {
        return complement().union(other.complement()).complement();
    }

    boolean contains(int cp) {
        for (int[] r : ranges) if (cp >= r[0] && cp <= r[1]) return true;
        return false;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** A GBNF character class of exactly these code points. */
    String toGbnfClass() {
        StringBuilder out = new StringBuilder("[");
        for (int[] r : ranges) {
            out.append(Gbnf.classChar(r[0]));
            if (r[1] > r[0]) out.append('-').append(Gbnf.classChar(r[1]));
        }
        return out.append(']').toString();
    }
}
