package io.quokka.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.template.Msg.ToolCall;
import io.quokka.template.PromptTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ollama's tools/tools_test.go and template_test.go cases: the tag from the template, then streamed output split
 * into content and calls. Calls are written {@code name(args JSON)}.
 */
class ToolCallParserTest {
    static final List<String> TOOLS = List.of("get_temperature", "get_conditions", "say_hello", "say_hello_world",
            "get_address", "add");

    static final String QWEN = "{{if .ToolCalls}}<tool_call>{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}</tool_call>{{end}}";
    static final String DEEPSEEK = "{{if .ToolCalls}}<|tool▁calls▁begin|>{{range .ToolCalls}}<|tool▁call▁begin|>function"
            + "<|tool▁sep|>get_current_weather\n```json\n{\"location\": \"Tokyo\"}\n```<|tool▁call▁end|>{{end}}"
            + "<|tool▁calls▁end|><|end▁of▁sentence|>{{end}}";
    static final String JSON = "{{if .ToolCalls}}{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", \"arguments\": "
            + "{{.Function.Arguments}}}{{end}}{{end}}";
    static final String MISTRAL = "{{if .ToolCalls}}[TOOL_CALLS] [{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}][/TOOL_CALLS]{{end}}";
    static final String LIST = "{{if .ToolCalls}}[{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", \"arguments\": "
            + "{{.Function.Arguments}}}{{end}}]{{end}}";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private record Parsed(String content, List<String> calls) {}

    private static Parsed parse(String template, String... inputs) {
        var parser = new ToolCallParser(PromptTemplate.parse(template).toolCallTag(), TOOLS);
        StringBuilder content = new StringBuilder();
        List<String> calls = new ArrayList<>();
        for (String in : inputs) {
            var r = parser.add(in);
            content.append(r.content());
            for (ToolCall c : r.calls()) calls.add(c.index() + ":" + c.name() + json(c.arguments()));
        }
        return new Parsed(content.toString(), calls);
    }

    private static String json(Map<String, Object> args) {
        try {
            return MAPPER.writeValueAsString(new java.util.TreeMap<>(args));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void expect(Parsed got, String content, String... calls) {
        assertEquals(content, got.content(), "content");
        assertEquals(List.of(calls), got.calls(), "calls");
    }

    @Test
    void tagsFromTemplates() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "{");
        cases.put("{{if .ToolCalls}}{{end}}", "{");
        cases.put("{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{");
        cases.put("{{if .ToolCalls}}```json\n{{end}}", "```json");
        cases.put("{{if .ToolCalls}}[{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "[");
        cases.put("{{if .ToolCalls}}\n [ {{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "[");
        cases.put("{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "{");
        cases.put("{{if .ToolCalls}} {{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{");
        cases.put("{{if .ToolCalls}}{{range .ToolCalls}}\n{{ . }}\n{{end}}{{end}}", "{");
        cases.put(JSON, "{");
        cases.put("{{if .ToolCalls}}{{range .ToolCalls}}\r\n{\"name\": \"{{ .Function.Name }}\"}{{end}}{{end}}", "{");
        cases.put("{{if .ToolCalls}}<|tool▁calls▁begin|>{{range .ToolCalls}}<|tool▁call▁begin|>x{{end}}<|tool▁calls▁end|>{{end}}",
                "<|tool▁calls▁begin|>");
        cases.put("{{if .ToolCalls}}{{range .ToolCalls}}<tool_call>{\"name\": \"{{ .Function.Name }}\"}</tool_call>{{end}}{{end}}",
                "<tool_call>");
        cases.put("{{if .ToolCalls}}\n{{range .ToolCalls}}<tool_call>{\"n\": 1}</tool_call>{{end}}{{end}}", "<tool_call>");
        cases.put("{{if .ToolCalls}}First text{{if .Something}}inner{{end}}Second text{{end}}", "First text");
        cases.put("{{if .ToolCalls}}Action: ```json{{end}}", "Action: ```json");
        cases.put("{{if .ToolCalls}}functools[{{end}}", "functools[");
        cases.put("{{if .ToolCalls}}[TOOL_CALL] [{{end}}", "[TOOL_CALL] [");
        cases.put(QWEN, "<tool_call>");
        cases.put(MISTRAL, "[TOOL_CALLS] [");
        // Nested in an else-if of a message range, as the library templates have it.
        cases.put("{{ range .Messages }}{{ if .Content }}{{ .Content }}{{ else if .ToolCalls }}<tool_call>\n"
                + "{{ range .ToolCalls }}{}{{ end }}</tool_call>{{ end }}{{ end }}", "<tool_call>");
        cases.forEach((template, tag) -> assertEquals(tag, PromptTemplate.parse(template).toolCallTag(), template));
    }

    @Test
    void qwenStyle() {
        expect(parse(QWEN, "Hello, how can I help you today?"), "Hello, how can I help you today?");
        expect(parse(QWEN, ""), "");
        expect(parse(QWEN, "<tool_call>{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"San Francisco\"}}</tool_call>"),
                "", "0:get_conditions{\"location\":\"San Francisco\"}");
        expect(parse(QWEN, "<tool_call>{\"name\": \"get_conditions\", \"arguments\": {}}</tool_call>"), "", "0:get_conditions{}");
        expect(parse(QWEN, "Let me check the weather. <tool_call>{\"name\": \"get_temperature\", \"arguments\": {\"city\": \"New York\"}}</tool_call>"),
                "Let me check the weather. ", "0:get_temperature{\"city\":\"New York\"}");
        expect(parse(QWEN, "Let me say hello to the user. I'll use the say_hello tool. "),
                "Let me say hello to the user. I'll use the say_hello tool. ");
        expect(parse(QWEN, "Okay, let's call both tools! <tool_call>{\"name\": \"get_temperature\", \"arguments\": {\"city\": \"London\", "
                        + "\"format\": \"fahrenheit\"}}</tool_call><tool_call>{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"Tokyo\"}}</tool_call>"),
                "Okay, let's call both tools! ", "0:get_temperature{\"city\":\"London\",\"format\":\"fahrenheit\"}",
                "1:get_conditions{\"location\":\"Tokyo\"}");
        expect(parse(QWEN, "Let me say hello and check the weather. <tool_call>{\"name\": \"say_hello\", \"arguments\": {}}</tool_call>"
                        + "<tool_call>{\"name\": \"get_temperature\", \"arguments\": {\"city\": \"London\", \"format\": \"fahrenheit\"}}</tool_call>"),
                "Let me say hello and check the weather. ", "0:say_hello{}",
                "1:get_temperature{\"city\":\"London\",\"format\":\"fahrenheit\"}");
        expect(parse(QWEN, "<tool_call>{\"arguments\": {\"a\": \"5\", \"b\": \"10\"}, \"name\": \"add\"}</tool_call>"),
                "", "0:add{\"a\":\"5\",\"b\":\"10\"}");
        expect(parse(QWEN, "<tool_call>{\"name\": \"get_address\", \"arguments\": {\"location\": \"London\"}}</tool_call>"),
                "", "0:get_address{\"location\":\"London\"}");
    }

    @Test
    void toolNamesThatPrefixOthersWaitForMoreOutput() {
        expect(parse(QWEN, "<tool_call>", "{", "\"name\": \"say_hello", "_world\",", "\"arguments\": {}}", "}"),
                "", "0:say_hello_world{}");
        expect(parse(QWEN, "<tool_call>", "{", "\"name\": \"say_hello", "_world\",", "\"arguments\": {}}", "</tool_call>",
                "<tool_call>", "{", "\"name\": \"say_hello", "\",", "\"arguments\": {}}", "</tool_call>"),
                "", "0:say_hello_world{}", "1:say_hello{}");
        expect(parse(QWEN, "<tool_call>{\"name\": \"say_hello"), "");
        expect(parse(QWEN, "<tool_call>{\"name\": \"say_hello\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"say_hello_world\", \"arguments\": {}}"),
                "", "0:say_hello{}", "1:say_hello_world{}");
    }

    @Test
    void mistralAndListStyles() {
        expect(parse(MISTRAL, "[TOOL_CALLS] [{\"name\": \"get_temperature\", \"arguments\": {\"city\": \"London\", \"format\": \"fahrenheit\"}}, "
                        + "{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"Tokyo\"}}][/TOOL_CALLS]"),
                "", "0:get_temperature{\"city\":\"London\",\"format\":\"fahrenheit\"}", "1:get_conditions{\"location\":\"Tokyo\"}");
        expect(parse(LIST, "[", "{", "\"name\": \"get_temperature\", ", "\"arguments\": {", "\"city\": \"London\"", "}", "},",
                        "{", "\"name\": \"get_conditions\", ", "\"arguments\": {", "\"location\": \"Tokyo\"", "}", "}]"),
                "", "0:get_temperature{\"city\":\"London\"}", "1:get_conditions{\"location\":\"Tokyo\"}");
        expect(parse(LIST, "[special", " del", "ivery]"), "[special delivery]");
    }

    @Test
    void bareJsonStyle() {
        expect(parse(JSON, "{", "\"name\": \"get_temperature\",", "\"arguments\": {", "\"city\": \"Tokyo\"", "}", "}"),
                "", "0:get_temperature{\"city\":\"Tokyo\"}");
        expect(parse(JSON, "{", "\"name\": \"get_temperature\",", "\"arguments\": {"), "");
        expect(parse(JSON, "{", "\"name\": \"search\", ", "\"arguments\": {", "\"query\": \"What is the capital of Canada?\"", "}", "}"),
                "{\"name\": \"search\", \"arguments\": {\"query\": \"What is the capital of Canada?\"}}");
        expect(parse(JSON, "{\"name\": \"jeff\"}", "{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"San Francisco\"}}"),
                "{\"name\": \"jeff\"}{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"San Francisco\"}}");
        expect(parse(JSON, "for { fmt.Println(\"hello\") }"), "for { fmt.Println(\"hello\") }");
        // llama3.1 writes "parameters"; arguments may also be a JSON text.
        expect(parse(JSON, "{\"name\": \"get_address\", \"parameters\": {\"location\": \"London\"}}"),
                "", "0:get_address{\"location\":\"London\"}");
        expect(parse(JSON, "{\"name\": \"add\", \"arguments\": \"{\\\"a\\\": \\\"1\\\"}\"}"), "", "0:add{\"a\":\"1\"}");
        expect(parse(JSON, "{\"add\": {\"a\": \"2\"}}"), "", "0:add{\"a\":\"2\"}");
    }

    @Test
    void deepseekStyleIncremental() {
        expect(parse(DEEPSEEK, "<think>Wait", ", I need", " to call", " a tool</think><|too", "l▁calls▁begin", "|>",
                        "<|tool▁call▁begin|>function<|tool▁sep|>get_temperature\n", "```json\n", "{\"city\": \"Tokyo\"}\n", "```",
                        "<|tool▁c", "all▁end|>", "<|tool▁calls▁end|>", "<|end▁of▁sentence|>"),
                "<think>Wait, I need to call a tool</think>", "0:get_temperature{\"city\":\"Tokyo\"}");
    }

    @Test
    void argumentsWithBracesInStrings() {
        expect(parse(JSON, "{\"name\": \"add\", \"arguments\": {\"a\": \"if (x > 0) { return true; }\", \"b\": \"}\"}}"),
                "", "0:add{\"a\":\"if (x > 0) { return true; }\",\"b\":\"}\"}");
        expect(parse(QWEN, "<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": \"He said \\\"Hello {World}\\\"\"}}</tool_call>"),
                "", "0:add{\"a\":\"He said \\\"Hello {World}\\\"\"}");
    }

    @Test
    void everySplitOfAStreamGivesTheSameCalls() {
        String out = "Sure. <tool_call>{\"name\": \"say_hello\", \"arguments\": {}}</tool_call>"
                + "<tool_call>{\"name\": \"get_temperature\", \"arguments\": {\"city\": \"Perth\"}}</tool_call>";
        for (int cut = 1; cut <= out.length(); cut++) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < out.length(); i += cut) pieces.add(out.substring(i, Math.min(out.length(), i + cut)));
            expect(parse(QWEN, pieces.toArray(String[]::new)), "Sure. ", "0:say_hello{}",
                    "1:get_temperature{\"city\":\"Perth\"}");
        }
    }

    @Test
    void theEndReleasesWhatIsNoCall() {
        var p = new ToolCallParser("<tool_call>", TOOLS);
        assertEquals("Hi ", p.add("Hi <tool").content());
        assertEquals("<tool", p.finish()); // no call began: the partial tag was text
        p = new ToolCallParser("{", TOOLS);
        assertEquals("", p.add("{\"a\": ").content());
        assertEquals("{\"a\": ", p.finish()); // unfinished JSON that never was a call
        p = new ToolCallParser("<tool_call>", TOOLS);
        assertEquals("", p.add("<tool_call>{\"name\": \"add\", \"argu").content());
        assertEquals("", p.finish()); // an unfinished call is dropped, as Ollama
    }

    /**
     * A call cut off by the end of the output (num_predict reached), as Ollama's parser settles it: after a tag such
     * as {@code <tool_call>} it is dropped; with {@code {} or {@code [} as the tag it is content while no call was
     * completed, and dropped after one was.
     */
    @Test
    void aCallCutOffAtTheEndIsDroppedUnlessBracketsOpenedItAndNoCallCame() {
        String cut = "{\"name\": \"add\", \"argu";
        var p = new ToolCallParser("<tool_call>", TOOLS);
        assertEquals("Sure. ", p.add("Sure. <tool_call>" + cut).content());
        assertEquals("", p.finish());
        p = new ToolCallParser("{", TOOLS);
        assertEquals("", p.add(cut).content());
        assertEquals(cut, p.finish());
        p = new ToolCallParser("[", TOOLS);
        assertEquals("", p.add("[" + cut).content());
        assertEquals("[" + cut, p.finish());
        p = new ToolCallParser("{", TOOLS);
        assertEquals(1, p.add("{\"name\": \"say_hello\", \"arguments\": {}} " + cut).calls().size());
        assertEquals("", p.finish());
    }
}
