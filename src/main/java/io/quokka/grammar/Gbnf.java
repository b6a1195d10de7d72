package io.quokka.grammar;

/** Spelling of GBNF (llama.cpp's grammar format) pieces: literals, character classes, repetitions. */
final class Gbnf {
    private Gbnf() {}

    /** A GBNF string literal matching exactly {@code text}. */
    static String literal(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) out.append("\\x%02X".formatted(cp));
                    else out.appendCodePoint(cp);
                }
            }
        });
        return out.append('"').toString();
    }

    /** One code point inside a GBNF character class: letters and digits as they are, anything else escaped. */
    static String classChar(int cp) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
            return Character.toString(cp);
        }
        if (cp <= 0xFF) return "\\x%02X".formatted(cp);
        if (cp <= 0xFFFF) return "\\u%04X".formatted(cp);
        return "\\U%08X".formatted(cp);
    }

    /**
     * {@code item} repeated between {@code min} and {@code max} times ({@code max < 0}: unbounded), each repetition
     * after the first preceded by {@code separator} (may be empty). Empty when {@code max == 0}.
     */
    static String repeat(String item, int min, int max, String separator) {
        if (max == 0) return "";
        if (separator.isEmpty()) {
            if (item.contains(" ") && !(item.startsWith("(") && item.endsWith(")"))) item = "(" + item + ")";
            if (min == 0 && max == 1) return item + "?";
            if (max < 0) return min == 0 ? item + "*" : min == 1 ? item + "+" : item + "{" + min + ",}";
            if (min == max) return min == 1 ? item : item + "{" + min + "}";
            return item + "{" + min + "," + max + "}";
        }
        String rest = repeat("(" + separator + " " + item + ")", Math.max(min - 1, 0), max < 0 ? -1 : max - 1, "");
        String seq = rest.isEmpty() ? item : item + " " + rest;
        return min == 0 ? "(" + seq + ")?" : seq;
    }

    /** {@code text} as a JSON string, for messages. */
    static String jsonQuote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) out.append("\\u%04x".formatted((int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
