package io.quokka.gotemplate;

import io.quokka.gotemplate.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Go text/template lexer (text/template/parse/lex.go), run eagerly into a token list.
 * Delimiters are fixed to {@code {{ }}}; comments are dropped as Go does without ParseComments.
 * Trim markers: {@code "{{- "} trims trailing white space of the preceding text, {@code " -}}"} trims
 * leading white space of the following text; the marker needs the space (Go: {@code {{-3}} is a number).
 */
final class Lexer {
    private static final String LEFT = "{{", RIGHT = "}}";
    private static final Map<String, Kind> KEYWORDS = Map.ofEntries(
            Map.entry("block", Kind.BLOCK), Map.entry("break", Kind.BREAK), Map.entry("continue", Kind.CONTINUE),
            Map.entry("define", Kind.DEFINE), Map.entry("else", Kind.ELSE), Map.entry("end", Kind.END),
            Map.entry("if", Kind.IF), Map.entry("range", Kind.RANGE), Map.entry("nil", Kind.NIL),
            Map.entry("template", Kind.TEMPLATE), Map.entry("with", Kind.WITH));

    private final String in;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int parenDepth;

    private Lexer(String in) {
        this.in = in;
    }

    static List<Token> lex(String input) {
        Lexer l = new Lexer(input);
        l.run();
        return l.out;
    }

    private void run() {
        while (pos < in.length()) {
            int x = in.indexOf(LEFT, pos);
            if (x < 0) {
                emit(Kind.TEXT, pos, in.length());
                pos = in.length();
                break;
            }
            boolean trimLeft = hasLeftTrimMarker(x + LEFT.length());
            int textEnd = trimLeft ? x - trailingSpace(pos, x) : x;
            if (textEnd > pos) emit(Kind.TEXT, pos, textEnd);
            int delimPos = x;
            pos = x + LEFT.length() + (trimLeft ? 2 : 0);
            if (in.startsWith("/*", pos)) {
                lexComment(delimPos);
                continue;
            }
            out.add(new Token(Kind.LEFT_DELIM, LEFT, delimPos));
            parenDepth = 0;
            lexInsideAction();
        }
        out.add(new Token(Kind.EOF, "", in.length()));
    }

    private void lexComment(int start) {
        int end = in.indexOf("*/", pos + 2);
        if (end < 0) throw error("unclosed comment", start);
        pos = end + 2;
        if (hasRightTrimMarker(pos) && in.startsWith(RIGHT, pos + 2)) {
            pos += 2 + RIGHT.length();
            pos += leadingSpace(pos);
        } else if (in.startsWith(RIGHT, pos)) {
            pos += RIGHT.length();
        } else {
            throw error("comment ends before closing delimiter", start);
        }
    }

    private void lexInsideAction() {
        while (true) {
            if (hasRightTrimMarker(pos) && in.startsWith(RIGHT, pos + 2)) {
                closeAction(pos + 1, true);
                return;
            }
            if (in.startsWith(RIGHT, pos)) {
                closeAction(pos, false);
                return;
            }
            if (pos >= in.length()) throw error("unclosed action", pos);
            char c = in.charAt(pos);
            int start = pos;
            if (isSpace(c)) {
                int p = pos;
                while (p < in.length() && isSpace(in.charAt(p))) p++;
                // A space directly before "-}}" belongs to the trim marker.
                if (p < in.length() && in.startsWith("-" + RIGHT, p) && p - 1 >= pos) p--;
                if (p > pos) out.add(new Token(Kind.SPACE, in.substring(pos, p), pos));
                pos = p;
                if (pos == start) { // lone space that is the trim marker: loop sees " -}}"
                    continue;
                }
                continue;
            }
            switch (c) {
                case '=' -> { pos++; out.add(new Token(Kind.ASSIGN, "=", start)); }
                case ':' -> {
                    if (pos + 1 >= in.length() || in.charAt(pos + 1) != '=') throw error("expected :=", start);
                    pos += 2;
                    out.add(new Token(Kind.DECLARE, ":=", start));
                }
                case '|' -> { pos++; out.add(new Token(Kind.PIPE, "|", start)); }
                case '"' -> lexQuote();
                case '`' -> lexRawQuote();
                case '$' -> lexVariable();
                case '\'' -> lexChar();
                case '.' -> {
                    if (pos + 1 < in.length() && isDigit(in.charAt(pos + 1))) lexNumber();
                    else lexField();
                }
                case '(' -> { pos++; parenDepth++; out.add(new Token(Kind.LEFT_PAREN, "(", start)); }
                case ')' -> {
                    pos++;
                    parenDepth--;
                    if (parenDepth < 0) throw error("unexpected right paren", start);
                    out.add(new Token(Kind.RIGHT_PAREN, ")", start));
                }
                default -> {
                    if (c == '+' || c == '-' || isDigit(c)) lexNumber();
                    else if (isAlphaNumeric(in.codePointAt(pos))) lexIdentifier();
                    else if (c < 0x7f && c >= 0x20) { pos++; out.add(new Token(Kind.CHAR, String.valueOf(c), start)); }
                    else throw error("unrecognized character in action: " + GoFmt.unicodeRepr(in.codePointAt(pos)), start);
                }
            }
        }
    }

    private void closeAction(int at, boolean trim) {
        if (parenDepth > 0) throw error("unclosed left paren", at);
        out.add(new Token(Kind.RIGHT_DELIM, RIGHT, at));
        pos = at + (trim ? 1 : 0) + RIGHT.length();
        if (trim) pos += leadingSpace(pos);
    }

    private void lexQuote() {
        int start = pos++;
        while (true) {
            if (pos >= in.length() || in.charAt(pos) == '\n') throw error("unterminated quoted string", start);
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos >= in.length() || in.charAt(pos) == '\n') throw error("unterminated quoted string", start);
                pos++;
            } else if (c == '"') break;
        }
        out.add(new Token(Kind.STRING, in.substring(start, pos), start));
    }

    private void lexRawQuote() {
        int start = pos;
        int end = in.indexOf('`', pos + 1);
        if (end < 0) throw error("unterminated raw quoted string", start);
        pos = end + 1;
        out.add(new Token(Kind.RAW_STRING, in.substring(start, pos), start));
    }

    private void lexChar() {
        int start = pos++;
        while (true) {
            if (pos >= in.length() || in.charAt(pos) == '\n') throw error("unterminated character constant", start);
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos >= in.length() || in.charAt(pos) == '\n') throw error("unterminated character constant", start);
                pos++;
            } else if (c == '\'') break;
        }
        out.add(new Token(Kind.CHAR_CONSTANT, in.substring(start, pos), start));
    }

    private void lexVariable() {
        int start = pos++;
        while (pos < in.length() && isAlphaNumeric(in.codePointAt(pos))) pos += Character.charCount(in.codePointAt(pos));
        checkTerminator();
        out.add(new Token(Kind.VARIABLE, in.substring(start, pos), start));
    }

    private void lexField() {
        int start = pos++;
        while (pos < in.length() && isAlphaNumeric(in.codePointAt(pos))) pos += Character.charCount(in.codePointAt(pos));
        checkTerminator();
        if (pos - start == 1) out.add(new Token(Kind.DOT, ".", start));
        else out.add(new Token(Kind.FIELD, in.substring(start, pos), start));
    }

    private void lexIdentifier() {
        int start = pos;
        while (pos < in.length() && isAlphaNumeric(in.codePointAt(pos))) pos += Character.charCount(in.codePointAt(pos));
        checkTerminator();
        String word = in.substring(start, pos);
        Kind k = KEYWORDS.get(word);
        if (k != null) out.add(new Token(k, word, start));
        else if (word.equals("true") || word.equals("false")) out.add(new Token(Kind.BOOL, word, start));
        else out.add(new Token(Kind.IDENTIFIER, word, start));
    }

    private void checkTerminator() {
        if (pos >= in.length()) return;
        char c = in.charAt(pos);
        if (isSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' || in.startsWith(RIGHT, pos)) return;
        throw error("bad character " + GoFmt.unicodeRepr(in.codePointAt(pos)), pos);
    }

    private void lexNumber() {
        int start = pos;
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) digits = "0123456789abcdefABCDEF_";
            else if (accept("oO")) digits = "01234567_";
            else if (accept("bB")) digits = "01_";
        }
        acceptRun(digits);
        if (accept(".")) acceptRun(digits);
        if (digits.length() == 11 && accept("eE")) { accept("+-"); acceptRun("0123456789_"); }
        if (digits.length() == 23 && accept("pP")) { accept("+-"); acceptRun("0123456789_"); }
        accept("i");
        if (pos < in.length() && isAlphaNumeric(in.codePointAt(pos))) {
            pos++;
            throw error("bad number syntax: " + GoFmt.quote(in.substring(start, pos)), start);
        }
        out.add(new Token(Kind.NUMBER, in.substring(start, pos), start));
    }

    private boolean accept(String valid) {
        if (pos < in.length() && valid.indexOf(in.charAt(pos)) >= 0) {
            pos++;
            return true;
        }
        return false;
    }

    private void acceptRun(String valid) {
        while (accept(valid)) { /* absorb */ }
    }

    private boolean hasLeftTrimMarker(int p) {
        return p + 1 < in.length() && in.charAt(p) == '-' && isSpace(in.charAt(p + 1));
    }

    private boolean hasRightTrimMarker(int p) {
        return p + 1 < in.length() && isSpace(in.charAt(p)) && in.charAt(p + 1) == '-';
    }

    private int trailingSpace(int from, int to) {
        int n = 0;
        while (to - n > from && isSpace(in.charAt(to - n - 1))) n++;
        return n;
    }

    private int leadingSpace(int p) {
        int n = 0;
        while (p + n < in.length() && isSpace(in.charAt(p + n))) n++;
        return n;
    }

    private void emit(Kind k, int from, int to) {
        out.add(new Token(k, in.substring(from, to), from));
    }

    private TemplateException error(String msg, int at) {
        return Positions.error(in, at, msg);
    }

    static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static boolean isAlphaNumeric(int c) {
        return c == '_' || Character.isLetter(c) || Character.isDigit(c);
    }
}
