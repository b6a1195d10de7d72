package io.quokka.gotemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engine semantics, with expectations worked out from Go's text/template and fmt rules. */
class GoTemplateTest {
    static final Map<String, Object> DATA = data();

    static Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("L", List.of("a", "b", "c", "d", "e"));
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("b", 2);
        mm.put("a", 1);
        m.put("M", mm);
        m.put("X", "x");
        m.put("Empty", List.of());
        m.put("N", 3);
        m.put("F", 2.5);
        m.put("Big", 1e6);
        m.put("Whole", 100000.0);
        m.put("WithNil", Arrays.asList(null, 1));
        m.put("M2", Map.of("Name", "n"));
        return m;
    }

    static String run(String tmpl) {
        return GoTemplate.parse(tmpl).execute(DATA);
    }

    static String error(String tmpl) {
        return assertThrows(TemplateException.class, () -> run(tmpl)).getMessage();
    }

    @Test
    void trimMarkers() {
        assertEquals("a1b", run("a  {{- 1 -}}  \n b"));
        assertEquals("a \n1\n b", run("a \n{{ 1 }}\n b"));
        assertEquals("x-1", run("x{{ -1 }}"));
        assertEquals("ab", run("a {{- /* comment */ -}} b"));
        assertEquals("x", run("{{/* c */}}x"));
        assertEquals("ab", run("a\n{{- \"\" }}\n{{- \"b\" }}"));
        assertEquals("a\nb", run("a\n{{- \"\" }}\n{{ \"b\" }}"));
    }

    @Test
    void missingValues() {
        assertEquals("<no value>", run("{{ .Missing }}"));
        assertEquals("<nil>", run("{{ print .Missing }}"));
        // html escapes the "<no value>" it is given, as Go does
        assertEquals("&lt;no value&gt;", run("{{ html .Missing }}"));
        assertEquals("<no value>", run("{{ index .M \"z\" }}"));
        assertTrue(error("{{ .Missing.B }}").endsWith("nil pointer evaluating interface {}.B"));
        assertEquals("<no value>", run("{{ $m := .Missing }}{{ $m.B }}"));
        assertTrue(error("{{ .X.Y }}").contains("can't evaluate field Y in type string"));
    }

    @Test
    void rangeForms() {
        assertEquals("0=a;1=b;2=c;3=d;4=e;", run("{{ range $i, $e := .L }}{{ $i }}={{ $e }};{{ end }}"));
        assertEquals("a=1;b=2;", run("{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}"));
        assertEquals("012", run("{{ range 3 }}{{ . }}{{ end }}"));
        assertEquals("012", run("{{ range $i := .N }}{{ $i }}{{ end }}"));
        assertEquals("ac", run("{{ range .L }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ if eq . \"d\" }}{{ break }}{{ end }}{{ . }}{{ end }}"));
        assertEquals("empty", run("{{ range .Empty }}x{{ else }}empty{{ end }}"));
        assertEquals("empty", run("{{ range .Missing }}x{{ else }}empty{{ end }}"));
        assertEquals("abcde|", run("{{ range .L }}{{ . }}{{ end }}|"));
        assertEquals("e", run("{{ range $i, $_ := .L }}{{ $last := eq (len (slice $.L $i)) 1 }}{{ if $last }}{{ . }}{{ end }}{{ end }}"));
        assertEquals("a0a1b0b1", run("{{ range $x := slice .L 0 2 }}{{ range $i, $_ := slice $.L 0 2 }}{{ $x }}{{ $i }}{{ end }}{{ end }}"));
        assertTrue(error("{{ range $i, $e := 3 }}{{ end }}").contains("can't use 3 to iterate over more than one variable"));
    }

    @Test
    void andOrShortCircuitAndReturnOperand() {
        assertEquals("dflt", run("{{ or .Missing \"dflt\" }}"));
        assertEquals("0", run("{{ and 1 0 }}"));
        assertEquals("2", run("{{ and 1 2 }}"));
        assertEquals("1", run("{{ or 1 (index .L 10) }}"));
        assertEquals("0", run("{{ and 0 (index .L 10) }}"));
        assertTrue(error("{{ or 0 (index .L 10) }}").contains("error calling index: index out of range: 10"));
        assertEquals("true", run("{{ not \"\" }}"));
        assertEquals("y", run("{{ if and .X (not .Missing) }}y{{ end }}"));
    }

    @Test
    void indexAndSlice() {
        assertEquals("1", run("{{ index .M \"a\" }}"));
        assertEquals("b", run("{{ index .L 1 }}"));
        assertEquals("[b c]", run("{{ slice .L 1 3 }}"));
        assertEquals("el", run("{{ slice \"hello\" 1 3 }}"));
        assertEquals("6", run("{{ len \"h\u00e9llo\" }}"));
        assertEquals("104", run("{{ index \"hello\" 0 }}"));
        assertTrue(error("{{ index .L 5 }}").contains("index out of range: 5"));
        assertTrue(error("{{ len 3 }}").contains("len of type int"));
    }

    @Test
    void comparisons() {
        assertTrue(error("{{ eq 1 1.0 }}").endsWith("error calling eq: incompatible types for comparison"));
        assertEquals("true", run("{{ eq .N 3 }}"));
        assertEquals("true", run("{{ eq \"a\" \"b\" \"a\" }}"));
        assertEquals("false", run("{{ eq .Missing \"a\" }}"));
        assertEquals("true", run("{{ lt 1.5 2.0 }}"));
        assertEquals("true", run("{{ lt \"a\" \"b\" }}"));
        assertEquals("true", run("{{ ge 3 3 }}"));
        assertEquals("false", run("{{ gt 2 3 }}"));
        assertEquals("true", run("{{ ne .X \"y\" }}"));
        assertTrue(error("{{ lt 1 1.5 }}").contains("incompatible types for comparison"));
        assertTrue(error("{{ lt true false }}").contains("invalid type for comparison"));
    }

    @Test
    void printing() {
        assertEquals("3-x-1.5", run("{{ printf \"%d-%s-%v\" 3 \"x\" 1.5 }}"));
        assertEquals("1 2ab3", run("{{ print 1 2 \"a\" \"b\" 3 }}"));
        assertEquals("a 1\n", run("{{ println \"a\" 1 }}"));
        assertEquals("[a b c d e]", run("{{ .L }}"));
        assertEquals("map[a:1 b:2]", run("{{ .M }}"));
        assertEquals("[<nil> 1]", run("{{ .WithNil }}"));
        assertEquals("1e+06 100000 2.5", run("{{ .Big }} {{ .Whole }} {{ .F }}"));
        assertEquals("3 3 1000 16 97", run("{{ 3 }} {{ 3.0 }} {{ 1e3 }} {{ 0x10 }} {{ 'a' }}"));
        assertEquals("0.000123 1.23456789e+08", run("{{ 0.000123 }} {{ 123456789.0 }}"));
        assertEquals("  7|7  |007|3.14|\"q\"", run("{{ printf \"%3d|%-3d|%03d|%.2f|%q\" 7 7 7 3.14159 \"q\" }}"));
        assertEquals("%!d(string=x)", run("{{ printf \"%d\" \"x\" }}"));
        assertEquals("a\\n", run("{{ `a\\n` }}"));
        assertEquals("a\tb", run("{{ \"a\\tb\" }}"));
        assertEquals("&lt;a&gt; \\u003Cb\\u003E q%3Dx+y", run("{{ html \"<a>\" }} {{ js \"<b>\" }} {{ urlquery \"q=x y\" }}"));
    }

    @Test
    void withDefineBlockVariables() {
        assertEquals("x", run("{{ with .Missing }}a{{ else with .X }}{{ . }}{{ end }}"));
        assertEquals("none", run("{{ with .Missing }}a{{ else }}none{{ end }}"));
        assertEquals("[x]", run("{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" .X }}"));
        assertEquals("<x>", run("{{ block \"b\" .X }}<{{ . }}>{{ end }}"));
        assertEquals("2", run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}"));
        assertEquals("n", run("{{ (.M2).Name }}"));
        assertEquals("a-x", run("{{ .X | printf \"%s-%s\" \"a\" }}"));
        assertEquals("1", run("{{ .M.a }}"));
        assertEquals("b", run("{{ if eq .X \"z\" }}a{{ else if eq .X \"x\" }}b{{ else }}c{{ end }}"));
    }

    @Test
    void parseErrors() {
        assertEquals("template: :1: unclosed action", error("{{ .Prompt "));
        assertEquals("template: :1: function \"foo\" not defined", error("{{ foo }}"));
        assertEquals("template: :1: unexpected {{end}}", error("{{ end }}"));
        assertEquals("template: :1: missing value for if", error("{{ if }}{{ end }}"));
        assertEquals("template: :1: undefined variable \"$x\"", error("{{ $x }}"));
        assertEquals("template: :1: {{break}} outside {{range}}", error("{{ break }}"));
        assertEquals("template: :2: unexpected EOF", error("a\n{{ if .X }}"));
        assertEquals("template: :1: unclosed comment", error("{{/* x"));
        assertEquals("template: :1: missing value for command", error("{{ }}"));
        TemplateException e = assertThrows(TemplateException.class, () -> GoTemplate.parse("a\nb\n  {{ .X | 3 }}"));
        assertEquals("template: :3: non executable command in pipeline stage 2", e.getMessage());
        assertEquals(3, e.line());
    }
}
