package io.quokka.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates a JSON-schema {@code pattern} (ECMA-262 regular expression) into a GBNF expression for the content of a
 * JSON string (between its quotes) whose decoded value matches the whole pattern. A generated string that matches
 * the whole pattern also satisfies the unanchored pattern JSON Schema asks for, so {@code ^} and {@code $} are only
 * accepted where they anchor the whole match. Characters a JSON string must escape are produced escaped.
 *
 * <p>Supported: literals, escapes ({@code \d \w \s} and their negations, {@code \t \n \r \f \v \0 \xHH \\uHHHH},
 * escaped punctuation), {@code .}, classes with ranges and negation, groups ({@code (...)}, {@code (?:...)},
 * {@code (?<name>...)}), alternation and the quantifiers {@code * + ? {n} {n,} {n,m}} (lazy or not). Rejected:
 * lookaround, backreferences, word boundaries, Unicode property escapes.
 */
final class PatternGrammar {
    /** The largest repetition count accepted; llama.cpp expands counted repetitions into that many rules. */
    static final int MAX_COUNT = 1000;

    /** What {@code .} matches: everything but line terminators (Java's set, a subset of ECMA's complement). */
    private static final CharSet DOT = CharSet.ofChars("\n\r\u0085\u2028\u2029").complement();
    private static final CharSet DIGIT = CharSet.of('0', '9');
    private static final CharSet WORD = CharSet.of('a', 'z').union(CharSet.of('A', 'Z')).union(DIGIT)
            .union(CharSet.of('_'));
    /** {@code \s} as Java reads it (ASCII only), which ECMA's {@code \s} contains. */
    private static final CharSet SPACE_NARROW = CharSet.ofChars(" \t\n\u000B\f\r");
    /** {@code \s} as ECMA reads it, which Java's {@code \s} ... does not: used only for {@code \S}. */
    private static final CharSet SPACE_WIDE = SPACE_NARROW.union(CharSet.ofChars("\u00A0\u1680\u2028\u2029\u202F\u205F\u3000\uFEFF"))
            .union(CharSet.of(0x2000, 0x200A));
    /** Code points that may appear unescaped in a JSON string (and that no tokenizer splits): no quote, backslash,
     *  control character, DEL or surrogate. */
    private static final CharSet RAW = CharSet.of(0x20, CharSet.MAX)
            .minus(CharSet.ofChars("\"\\\u007F")).minus(CharSet.of(0xD800, 0xDFFF));

    private final String pattern;
    private final int[] cps;
    private int pos;

    private PatternGrammar(String pattern) {
        this.pattern = pattern;
        this.cps = pattern.codePoints().toArray();
    }

    /** @throws InvalidSchemaException (message without location) when the pattern is malformed or unsupported */
    static String translate(String pattern) {
        PatternGrammar p = new PatternGrammar(pattern);
        String expr = p.alternation(0);
        if (p.pos < p.cps.length) throw p.error("unbalanced ')'");
        return expr;
    }

    private String alternation(int depth) {
        List<String> branches = new ArrayList<>();
        branches.add(sequence(depth));
        while (peek() == '|') {
            pos++;
            branches.add(sequence(depth));
        }
        return branches.size() == 1 ? branches.getFirst() : "(" + String.join(" | ", branches) + ")";
    }

    private String sequence(int depth) {
        List<String> items = new ArrayList<>();
        boolean lastIsLiteral = false;
        while (pos < cps.length && peek() != '|' && peek() != ')') {
            int c = peek();
            if (c == '^') {
                if (depth != 0 || !items.isEmpty()) throw error("'^' is supported only at the start of the pattern");
                pos++;
                continue;
            }
            if (c == '$') {
                pos++;
                if (depth != 0 || (pos < cps.length && peek() != '|')) {
                    throw error("'$' is supported only at the end of the pattern");
                }
                continue;
            }
            String atom = atom(depth);
            boolean literal = atomIsLiteral;
            int before = pos;
            String quantified = quantifier(atom);
            literal &= pos == before;
            if (literal && lastIsLiteral && !items.isEmpty()) {
                String last = items.removeLast();
                items.add(last.substring(0, last.length() - 1) + atom.substring(1));
            } else {
                items.add(quantified);
            }
            lastIsLiteral = literal;
        }
        if (items.isEmpty()) return "\"\"";
        return items.size() == 1 ? items.getFirst() : String.join(" ", items);
    }

    /** Whether the last {@link #atom} is a plain GBNF literal (one that can be merged with its neighbours). */
    private boolean atomIsLiteral;

    private String atom(int depth) {
        atomIsLiteral = false;
        int c = cps[pos];
        switch (c) {
            case '(' -> {
                pos++;
                if (peek() == '?') {
                    if (at(1) == ':') {
                        pos += 2;
                    } else if (at(1) == '<' && at(2) != '=' && at(2) != '!') {
                        int close = indexOf('>', pos);
                        if (close < 0) throw error("unterminated group name");
                        pos = close + 1;
                    } else {
                        throw error("lookaround and inline flags are not supported");
                    }
                }
                String inner = alternation(depth + 1);
                if (peek() != ')') throw error("missing ')'");
                pos++;
                atomIsLiteral = false;
                return "(" + inner + ")";
            }
            case '[' -> {
                pos++;
                return chars(charClass());
            }
            case '.' -> {
                pos++;
                return chars(DOT);
            }
            case '\\' -> {
                pos++;
                CharSet set = escape(false);
                String one = chars(set);
                atomIsLiteral = one.startsWith("\"");
                return one;
            }
            case '*', '+', '?' -> throw error("nothing to repeat");
            default -> {
                pos++;
                String one = chars(CharSet.of(c));
                atomIsLiteral = one.startsWith("\"");
                return one;
            }
        }
    }

    private String quantifier(String atom) {
        if (pos >= cps.length) return atom;
        int c = cps[pos];
        String result;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            result = atom + (char) c;
        } else if (c == '{' && countSyntaxAt(pos)) {
            int close = indexOf('}', pos);
            String body = new String(cps, pos + 1, close - pos - 1);
            pos = close + 1;
            int comma = body.indexOf(',');
            int min = count(comma < 0 ? body : body.substring(0, comma));
            int max = comma < 0 ? min : comma == body.length() - 1 ? -1 : count(body.substring(comma + 1));
            if (max >= 0 && max < min) throw error("numbers out of order in {} quantifier");
            result = Gbnf.repeat(atom, min, max, "");
            if (result.isEmpty()) result = "\"\"";
        } else {
            return atom;
        }
        if (peek() == '?') pos++; // lazy: the same set of strings
        int next = peek();
        if (next == '*' || next == '+' || next == '?' || next == '{' && countSyntaxAt(pos)) {
            throw error("nothing to repeat");
        }
        return result;
    }

    private boolean countSyntaxAt(int at) {
        int close = indexOf('}', at);
        return close > at && new String(cps, at + 1, close - at - 1).matches("\\d+(,\\d*)?");
    }

    private int count(String digits) {
        long n = Long.parseLong(digits.length() > 9 ? "9999999999" : digits);
        if (n > MAX_COUNT) throw error("repetition counts above " + MAX_COUNT + " are not supported");
        return (int) n;
    }

    private CharSet charClass() {
        boolean negate = false;
        if (peek() == '^') {
            negate = true;
            pos++;
        }
        CharSet set = CharSet.EMPTY;
        while (true) {
            if (pos >= cps.length) throw error("missing ']'");
            int c = cps[pos];
            if (c == ']') {
                pos++;
                break;
            }
            CharSet from = classAtom();
            if (peek() == '-' && at(1) != ']' && at(1) != -1) {
                pos++;
                CharSet to = classAtom();
                if (from.ranges().size() != 1 || to.ranges().size() != 1
                        || from.ranges().getFirst()[0] != from.ranges().getFirst()[1]
                        || to.ranges().getFirst()[0] != to.ranges().getFirst()[1]) {
                    throw error("a class range needs single characters at both ends");
                }
                int a = from.ranges().getFirst()[0];
                int b = to.ranges().getFirst()[0];
                if (b < a) throw error("range out of order in character class");
                set = set.union(CharSet.of(a, b));
            } else {
                set = set.union(from);
            }
        }
        return negate ? set.complement() : set;
    }

    private CharSet classAtom() {
        int c = cps[pos++];
        if (c == '\\') return escape(true);
        if (c == '[' && (peek() == ':' || peek() == '=' || peek() == '.')) throw error("POSIX classes are not supported");
        return CharSet.of(c);
    }

    private CharSet escape(boolean inClass) {
        if (pos >= cps.length) throw error("\\ at end of pattern");
        int c = cps[pos++];
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE_NARROW;
            case 'S' -> SPACE_WIDE.complement();
            case 't' -> CharSet.of('\t');
            case 'n' -> CharSet.of('\n');
            case 'r' -> CharSet.of('\r');
            case 'f' -> CharSet.of('\f');
            case 'v' -> CharSet.of(0x0B);
            case '0' -> {
                if (Character.isDigit(peek())) throw error("octal escapes are not supported");
                yield CharSet.of(0);
            }
            case 'b' -> {
                if (inClass) yield CharSet.of(0x08);
                throw error("word boundaries are not supported");
            }
            case 'x' -> CharSet.of(hex(2));
            case 'u' -> {
                if (peek() == '{') throw error("\\u{...} escapes are not supported");
                int cp = hex(4);
                if (cp >= 0xD800 && cp <= 0xDFFF) throw error("surrogate escapes are not supported");
                yield CharSet.of(cp);
            }
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw error("the escape \\" + Character.toString(c) + " is not supported");
                }
                yield CharSet.of(c);
            }
        };
    }

    private int hex(int n) {
        if (pos + n > cps.length) throw error("incomplete hex escape");
        String digits = new String(cps, pos, n);
        if (!digits.matches("[0-9a-fA-F]+")) throw error("invalid hex escape");
        pos += n;
        return Integer.parseInt(digits, 16);
    }

    /**
     * One character out of {@code set}, as it appears inside a JSON string: raw when JSON allows it, otherwise as
     * its escape sequence ({@code \"}, {@code \\}, {@code \n}, {@code \\u0001}, ...). A subset where the set is
     * large: control characters only when nothing else matches.
     */
    static String chars(CharSet set) {
        List<String> alternatives = new ArrayList<>();
        CharSet raw = set.intersect(RAW);
        if (!raw.isEmpty()) {
            boolean single = raw.ranges().size() == 1 && raw.ranges().getFirst()[0] == raw.ranges().getFirst()[1];
            alternatives.add(single ? Gbnf.literal(Character.toString(raw.ranges().getFirst()[0])) : raw.toGbnfClass());
        }
        if (set.contains('"')) alternatives.add(Gbnf.literal("\\\""));
        if (set.contains('\\')) alternatives.add(Gbnf.literal("\\\\"));
        // Control characters only when the set has nothing else to offer: "." or [^x] need not produce them, and the
        // grammar stays small.
        for (int cp = 0; cp < 0x20 && raw.isEmpty(); cp++) {
            if (!set.contains(cp)) continue;
            alternatives.add(Gbnf.literal(switch (cp) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> "\\u%04x".formatted(cp);
            }));
        }
        if (set.contains(0x7F) && alternatives.isEmpty()) alternatives.add(Gbnf.literal("\\u007f"));
        if (alternatives.isEmpty()) throw new InvalidSchemaException("pattern has a character class no JSON string character matches");
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" | ", alternatives) + ")";
    }

    private int peek() {
        return pos < cps.length ? cps[pos] : -1;
    }

    private int at(int offset) {
        return pos + offset < cps.length ? cps[pos + offset] : -1;
    }

    private int indexOf(int c, int from) {
        for (int i = from; i < cps.length; i++) if (cps[i] == c) return i;
        return -1;
    }

    private InvalidSchemaException error(String what) {
        return new InvalidSchemaException("pattern " + Gbnf.jsonQuote(pattern) + ": " + what);
    }
}
