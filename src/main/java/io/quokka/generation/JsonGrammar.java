package io.quokka.generation;

/**
 * A GBNF grammar for any JSON value with an object at the top, for {@code format: "json"}: the output always
 * parses. Written after llama.cpp's {@code grammars/json.gbnf}, with bounded whitespace so a model cannot pad
 * forever.
 */
final class JsonGrammar {
    private JsonGrammar() {}

    static final String OBJECT = """
            root   ::= object
            value  ::= object | array | string | number | ("true" | "false" | "null") ws
            object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
            array  ::= "[" ws ( value ("," ws value)* )? "]" ws
            string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\"" ws
            number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
            ws     ::= | " " | "\\n" [ \\t]{0,20}
            """;
}
