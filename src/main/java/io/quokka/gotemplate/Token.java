package io.quokka.gotemplate;

/** One lexeme of a Go template; {@code pos} is the char offset into the source. */
record Token(Kind kind, String val, int pos) {
    enum Kind {
        TEXT, LEFT_DELIM, RIGHT_DELIM, SPACE, EOF,
        FIELD, VARIABLE, IDENTIFIER, DOT, NIL, BOOL, NUMBER, CHAR_CONSTANT, STRING, RAW_STRING,
        PIPE, LEFT_PAREN, RIGHT_PAREN, ASSIGN, DECLARE, CHAR,
        // keywords
        BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, RANGE, TEMPLATE, WITH
    }

    /** Go's item String(): used in "unexpected X in Y" messages. */
    String describe() {
        return switch (kind) {
            case EOF -> "EOF";
            case TEXT, STRING, RAW_STRING -> GoFmt.quote(val);
            case SPACE -> "space";
            case LEFT_DELIM, RIGHT_DELIM, PIPE, LEFT_PAREN, RIGHT_PAREN, ASSIGN, DECLARE, CHAR, DOT, FIELD,
                 VARIABLE, IDENTIFIER, NUMBER, CHAR_CONSTANT, BOOL, NIL -> GoFmt.quote(val);
            default -> "<" + val + ">";
        };
    }
}
