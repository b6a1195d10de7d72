package io.quokka.generation;

/** Go's {@code %q} (strconv.Quote) for the names Ollama quotes in its error messages. */
final class GoQuote {
    private GoQuote() {}

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) b.append(String.format("\\x%02x", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        return b.append('"').toString();
    }
}
