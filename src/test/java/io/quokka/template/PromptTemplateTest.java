package io.quokka.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quokka.gotemplate.TemplateException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama's template_test.go cases, plus tool, think and legacy-cut cases. */
class PromptTemplateTest {

    static final String MISTRAL_NO_RESPONSE = "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] ";
    static final String MISTRAL_RESPONSE = "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] {{ .Response }}";
    static final String MISTRAL_MESSAGES = """
            [INST] {{ if .System }}{{ .System }}

            {{ end }}
            {{- range .Messages }}
            {{- if eq .Role "user" }}{{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}[INST] {{ end }}
            {{- end }}""";

    static void assertAll(List<String> templates, List<Msg> msgs, String expected) {
        for (String t : templates) assertEquals(expected, PromptTemplate.parse(t).renderChat(msgs, null, null), t);
    }

    @Test
    void executeWithMessagesMistral() {
        List<String> ts = List.of(MISTRAL_NO_RESPONSE, MISTRAL_RESPONSE, MISTRAL_MESSAGES);
        assertAll(ts, List.of(Msg.user("Hello friend!"), Msg.assistant("Hello human!"), Msg.user("What is your name?")),
                "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ");
        assertAll(ts, List.of(Msg.system("You are a helpful assistant!"), Msg.user("Hello friend!"),
                        Msg.assistant("Hello human!"), Msg.user("What is your name?")),
                "[INST] You are a helpful assistant!\n\nHello friend![/INST] Hello human![INST] What is your name?[/INST] ");
    }

    @Test
    void trailingAssistantMessageIsContinued() {
        List<String> ts = List.of("[INST] {{ .Prompt }}[/INST] ", "[INST] {{ .Prompt }}[/INST] {{ .Response }}", """
                {{- range $i, $m := .Messages }}
                {{- if eq .Role "user" }}[INST] {{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}{{ end }}
                {{- end }}""");
        assertAll(ts, List.of(Msg.user("Hello friend!"), Msg.assistant("Hello human!"), Msg.user("What is your name?"),
                        Msg.assistant("My name is Ollama and I")),
                "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I");
    }

    @Test
    void executeWithMessagesChatml() {
        List<String> ts = List.of("""
                {{ if .System }}<|im_start|>system
                {{ .System }}<|im_end|>
                {{ end }}{{ if .Prompt }}<|im_start|>user
                {{ .Prompt }}<|im_end|>
                {{ end }}<|im_start|>assistant
                {{ .Response }}<|im_end|>
                """, """
                {{- range $index, $_ := .Messages }}<|im_start|>{{ .Role }}
                {{ .Content }}<|im_end|>
                {{ end }}<|im_start|>assistant
                """);
        assertAll(ts, List.of(Msg.system("You are a helpful assistant!"), Msg.user("Hello friend!"),
                        Msg.assistant("Hello human!"), Msg.user("What is your name?")), """
                <|im_start|>system
                You are a helpful assistant!<|im_end|>
                <|im_start|>user
                Hello friend!<|im_end|>
                <|im_start|>assistant
                Hello human!<|im_end|>
                <|im_start|>user
                What is your name?<|im_end|>
                <|im_start|>assistant
                """);
    }

    @Test
    void suffix() {
        PromptTemplate t = PromptTemplate.parse("""
                {{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>
                {{- else }}{{ .Prompt }}
                {{- end }}""");
        assertEquals("hello", t.renderChat(List.of(Msg.user("hello")), null, null));
        assertEquals("<PRE> def add( <SUF>return x <MID>", t.renderGenerate("", "def add(", "return x", null));
        assertEquals("hello", t.renderGenerate("", "hello", "", null));
        assertTrue(t.supportsInsert());
        assertEquals(List.of("insert"), t.capabilities());
    }

    /** /api/generate's system and prompt reach a messages template as messages (a library template: OllamaLibraryTest). */
    @Test
    void generateUsesSystemAndChatPath() {
        PromptTemplate t = PromptTemplate.parse(
                "{{ range .Messages }}<{{ .Role }}>{{ .Content }}</{{ .Role }}>{{ end }}<assistant>");
        assertEquals("<system>Be brief.</system><user>Hi</user><assistant>", t.renderGenerate("Be brief.", "Hi", null, null));
        assertEquals("<user>Hi</user><assistant>", t.renderGenerate("", "Hi", null, null));
        assertEquals("Hi", PromptTemplate.DEFAULT.renderGenerate("sys", "Hi", null, null));
    }

    @Test
    void collate() {
        var c = PromptTemplate.collate(List.of(Msg.system("You are helpful"), Msg.user("Hello"), Msg.user("How are you?"),
                Msg.toolResult("get_weather", "sunny"), Msg.toolResult("get_temperature", "72F"), Msg.system("Be nice")));
        assertEquals("You are helpful\n\nBe nice", c.system());
        assertEquals(List.of("You are helpful", "Hello\n\nHow are you?", "sunny", "72F", "Be nice"),
                c.messages().stream().map(Msg::content).toList());
        assertEquals("get_temperature", c.messages().get(3).toolName());
    }

    @Test
    void vars() {
        assertEquals(List.of("prompt"), PromptTemplate.parse("{{ .Prompt }}").vars());
        assertEquals(List.of("prompt", "response", "system"), PromptTemplate.parse("{{ .System }} {{ .Prompt }} {{ .Response }}").vars());
        assertEquals(List.of("prompt", "system", "tools"), PromptTemplate.parse("{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}").vars());
        assertEquals(List.of("content", "messages", "role", "toolname"), PromptTemplate.parse(
                "{{ range .Messages }}{{ if eq .Role \"tool\" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}").vars());
        assertEquals(List.of("$", "$i", "$last", "content", "messages", "role", "system"), PromptTemplate.parse("""
                {{- range $i, $_ := .Messages }}{{- $last := eq (len (slice $.Messages $i)) 1 }}
                {{- if and (eq $i 0) $.System }}{{ $.System }} {{ end }}{{ .Role }}: {{ .Content }}
                {{- if $last }}.{{ end }}{{ end }}""").vars());
    }

    @Test
    void parseErrors() {
        assertTrue(assertThrows(TemplateException.class, () -> PromptTemplate.parse("{{ .Prompt ")).getMessage().contains("unclosed action"));
        assertTrue(assertThrows(TemplateException.class, () -> PromptTemplate.parse(
                "{{define \"x\"}}{{template \"x\"}}{{end}}{{template \"x\"}}")).getMessage().contains("undefined template specified"));
    }

    @Test
    void dates() {
        PromptTemplate t = PromptTemplate.parse("{{- range .Messages }}{{ .Content }}{{ end }} Today is {{ currentDate }}, yesterday {{ yesterdayDate \"x\" }}");
        assertEquals("Hello Today is " + LocalDate.now() + ", yesterday " + LocalDate.now().minusDays(1),
                t.renderChat(List.of(Msg.user("Hello")), null, null));
    }

    static List<Tool> weatherTools() {
        Map<String, Tool.Property> props = new LinkedHashMap<>();
        props.put("location", Tool.Property.of("string", "City <name>"));
        props.put("unit", Tool.Property.ofEnum("string", "", List.of("c", "f")));
        return List.of(Tool.function("get_weather", "Get the weather", Tool.Parameters.object(List.of("location"), props)));
    }

    static List<Msg> toolConversation() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("location", "Paris");
        args.put("days", 3);
        return List.of(Msg.user("Weather in Paris?"),
                Msg.toolCalls("", List.of(Msg.ToolCall.of("get_weather", args))),
                Msg.toolResult("get_weather", "sunny"));
    }

    static final String TOOL_JSON = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Get the weather\","
            + "\"parameters\":{\"type\":\"object\",\"required\":[\"location\"],\"properties\":{\"location\":{\"type\":\"string\","
            + "\"description\":\"City \\u003cname\\u003e\"},\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}}}}}";

    @Test
    void toolsPrintAsOllamaDoes() {
        PromptTemplate t = PromptTemplate.parse("""
                {{- range .Tools }}{{ json . }}|{{ . }}|{{ .Function }}{{ end }}
                {{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }} {{ .Function.Arguments }} {{ json .Function }} \
                {{- range $k, $v := .Function.Arguments }} {{ $k }}={{ $v }};{{ end }}{{ end }}{{ end }}
                {{ .Tools | len }} {{ range .Tools }}{{ range $n, $p := .Function.Parameters.Properties }}{{ $n }}:{{ $p.Type }}:{{ toTypeScriptType $p }};{{ end }}{{ end }}""");
        String props = "{\"location\":{\"type\":\"string\",\"description\":\"City \\u003cname\\u003e\"},\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}}";
        assertEquals(TOOL_JSON + "|" + TOOL_JSON + "|{get_weather Get the weather {object <nil> <nil> [location] " + props + "}}\n"
                        + "get_weather {\"days\":3,\"location\":\"Paris\"} {\"Index\":0,\"Name\":\"get_weather\",\"Arguments\":{\"days\":3,\"location\":\"Paris\"}}"
                        + " days=3; location=Paris;\n"
                        + "1 location:string:string;unit:string:string;",
                t.renderChat(toolConversation(), weatherTools(), null));
        assertTrue(t.supportsTools());
    }

    @Test
    void toolsNilVersusEmpty() {
        PromptTemplate t = PromptTemplate.parse("{{ range .Messages }}{{ end }}{{ .Tools }}|{{ if .Tools }}yes{{ else }}no{{ end }}");
        assertEquals("null|no", t.renderChat(List.of(Msg.user("x")), null, null));
        assertEquals("[]|no", t.renderChat(List.of(Msg.user("x")), List.of(), null));
        assertEquals("[]|no", t.renderGenerate("", "x", "", null));
    }

    /**
     * A qwen-style template written for these tests from the format's facts (ChatML turns; tools listed in
     * {@code <tools>}, calls in {@code <tool_call>}, results as a user turn in {@code <tool_response>}; no end after a
     * trailing assistant message, so it is continued): {@code if}/{@code else} on {@code .Messages}, {@code with},
     * {@code range}, {@code json}, and {@code slice}/{@code len}/{@code eq} to find the last message.
     */
    static final String QWEN_STYLE = """
            {{- if .Messages }}
            {{- if or .System .Tools }}<|im_start|>system
            {{- with .System }}
            {{ . }}
            {{- end }}
            {{- with .Tools }}
            Functions you may call, one JSON signature a line:
            <tools>
            {{- range . }}
            {{ json .Function }}
            {{- end }}
            </tools>
            To call one, answer <tool_call>{"name": "<name>", "arguments": {<arguments>}}</tool_call>.
            {{- end }}<|im_end|>
            {{ end }}
            {{- range $i, $m := .Messages }}
            {{- $final := eq (len (slice $.Messages $i)) 1 }}
            {{- if eq .Role "user" }}<|im_start|>user
            {{ .Content }}<|im_end|>
            {{ else if eq .Role "tool" }}<|im_start|>user
            <tool_response>
            {{ .Content }}
            </tool_response><|im_end|>
            {{ else if eq .Role "assistant" }}<|im_start|>assistant
            {{ with .ToolCalls }}{{ range . }}<tool_call>
            {"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
            </tool_call>{{ end }}{{ else }}{{ .Content }}{{ end }}
            {{- if not $final }}<|im_end|>
            {{ end }}
            {{- end }}
            {{- if and $final (ne .Role "assistant") }}<|im_start|>assistant
            {{ end }}
            {{- end }}
            {{- else }}
            {{- with .System }}<|im_start|>system
            {{ . }}<|im_end|>
            {{ end }}<|im_start|>user
            {{ .Prompt }}<|im_end|>
            <|im_start|>assistant
            {{ .Response }}{{ if .Response }}<|im_end|>{{ end }}
            {{- end }}""";

    @Test
    void qwenStyleWithTools() {
        List<Msg> msgs = new ArrayList<>();
        msgs.add(Msg.system("Be helpful."));
        msgs.addAll(toolConversation());
        String fn = "{\"name\":\"get_weather\",\"description\":\"Get the weather\",\"parameters\":{\"type\":\"object\",\"required\":[\"location\"],"
                + "\"properties\":{\"location\":{\"type\":\"string\",\"description\":\"City \\u003cname\\u003e\"},\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}}}}";
        assertEquals("<|im_start|>system\nBe helpful.\nFunctions you may call, one JSON signature a line:\n<tools>\n"
                + fn + "\n</tools>\nTo call one, answer <tool_call>{\"name\": \"<name>\", \"arguments\": {<arguments>}}</tool_call>."
                + "<|im_end|>\n"
                + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"days\":3,\"location\":\"Paris\"}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n", PromptTemplate.parse(QWEN_STYLE).renderChat(msgs, weatherTools(), null));
    }

    @Test
    void qwenStyleTrailingAssistantHasNoEnd() {
        String out = PromptTemplate.parse(QWEN_STYLE).renderChat(List.of(Msg.user("Hi"), Msg.assistant("Hel")), null, null);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHel", out);
    }

    /**
     * A thinking template written for these tests in a qwen-like shape: earlier thinking is shown when think is set,
     * and {@code think: false} closes an empty block for the model.
     */
    static final String QWEN_STYLE_THINK = """
            {{- range $i, $m := .Messages }}
            {{- $final := eq (len (slice $.Messages $i)) 1 }}
            {{- if eq .Role "user" }}<|im_start|>user
            {{ .Content }}<|im_end|>
            {{ else if eq .Role "assistant" }}<|im_start|>assistant
            {{ if and $.IsThinkSet .Thinking }}<think>{{ .Thinking }}</think>
            {{ end }}{{ .Content }}{{ if not $final }}<|im_end|>
            {{ end }}
            {{- end }}
            {{- if and $final (ne .Role "assistant") }}<|im_start|>assistant
            {{ if and $.IsThinkSet (not $.Think) }}<think>

            </think>

            {{ end }}
            {{- end }}
            {{- end }}""";

    @Test
    void thinkTemplates() {
        PromptTemplate t = PromptTemplate.parse(QWEN_STYLE_THINK);
        assertEquals(new PromptTemplate.ThinkingTags("<think>", "</think>"), t.thinkingTags().orElseThrow());
        assertEquals(List.of("thinking"), t.capabilities());
        List<Msg> msgs = List.of(Msg.user("Hi"), Msg.assistant("Hello").withThinking("greet"), Msg.user("Bye"));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>greet</think>\nHello<|im_end|>\n"
                + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", t.renderChat(msgs, null, Think.of(false)));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
                + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n", t.renderChat(msgs, null, null));
        assertFalse(PromptTemplate.parse(MISTRAL_MESSAGES).supportsThinking());
        assertEquals("high true", PromptTemplate.parse("{{ range .Messages }}{{ end }}{{ .ThinkLevel }} {{ .Think }}")
                .renderChat(List.of(), null, Think.of("high")));
    }

    @Test
    void legacyCutKeepsTextBeforeResponseOnly() {
        PromptTemplate t = PromptTemplate.parse("{{ if .System }}S:{{ .System }}\n{{ end }}U:{{ .Prompt }}\nA:{{ .Response }}<END>\n");
        assertEquals("S:sys\nU:q1\nA:a1<END>\nU:q2\nA:", t.renderChat(List.of(Msg.system("sys"), Msg.user("q1"),
                Msg.assistant("a1"), Msg.user("q2")), null, null));
        assertEquals("U:q1\nA:partial", t.renderChat(List.of(Msg.user("q1"), Msg.assistant("partial")), null, null));
    }

    @Test
    void fiftyMessageChatRendersFast() {
        PromptTemplate t = PromptTemplate.parse(QWEN_STYLE);
        List<Msg> msgs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            msgs.add(Msg.user("question number " + i));
            msgs.add(Msg.assistant("answer number " + i));
        }
        for (int i = 0; i < 2000; i++) t.renderChat(msgs, weatherTools(), null); // warm up
        long start = System.nanoTime();
        int n = 200;
        for (int i = 0; i < n; i++) t.renderChat(msgs, weatherTools(), null);
        double micros = (System.nanoTime() - start) / 1000.0 / n;
        assertTrue(micros < 1000, "render took " + micros + "us");
    }

    /** Ollama's {@code json} function: Go's encoding/json with HTML escaping. */
    @Test
    void json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", "<x>&");
        m.put("a", Arrays.asList(1, 2.5, true, null, 1e21, 1e-7));
        String out = PromptTemplate.parse("{{ json .M }}{{ range .Messages }}{{ end }}").render(Map.of("M", m));
        assertEquals("{\"a\":[1,2.5,true,null,1e+21,1e-7],\"b\":\"\\u003cx\\u003e\\u0026\"}", out);
    }
}
