package io.quokka.gotemplate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Go string-literal helpers: strconv.Unquote for "..." `...` and '...' literals. */
final class GoStrings {
    private GoStrings() {}

    static String unquote(String lit, Supplier<TemplateException> err) {
        if (lit.length() < 2) throw err.get();
        char q = lit.charAt(0);
        if (lit.charAt(lit.length() - 1) != q) throw err.get();
        String body = lit.substring(1, lit.length() - 1);
        if (q == '`') return body.replace("\r", "");
        if (q != '"' && q != '\'') throw err.get();
        if (body.indexOf('\\') < 0) return body;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\') {
                int cp = body.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= body.length()) throw err.get();
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\' -> out.write('\\');
                case '"' -> { if (q != '"') throw err.get(); out.write('"'); }
                case '\'' -> { if (q != '\'') throw err.get(); out.write('\''); }
                case 'x' -> { out.write(hex(body, i, 2, err)); i += 2; }
                case 'u' -> { writeRune(out, hex(body, i, 4, err), err); i += 4; }
                case 'U' -> { writeRune(out, hex(body, i, 8, err), err); i += 8; }
                default -> {
                    if (e >= '0' && e <= '7') {
                        if (i + 2 > body.length()) throw err.get();
                        int v = Integer.parseInt(body.substring(i - 1, i + 2), 8);
                        if (v > 255) throw err.get();
                        out.write(v);
                        i += 2;
                    } else {
                        throw err.get();
                    }
                }
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static int hex(String s, int at, int n, Supplier<TemplateException> err) {
        if (at + n > s.length()) throw err.get();
        try {
            return (int) Long.parseLong(s.substring(at, at + n), 16);
        } catch (NumberFormatException e) {
            throw err.get();
        }
    }

    private static void writeRune(ByteArrayOutputStream out, int cp, Supplier<TemplateException> err) {
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw err.get();
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
    }

    /** Length in UTF-8 bytes, which is what Go's len() counts for strings. */
    static int byteLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
