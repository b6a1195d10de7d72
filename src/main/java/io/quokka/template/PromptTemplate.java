package io.quokka.template;

import io.quokka.gotemplate.Builtins;
import io.quokka.gotemplate.Exec;
import io.quokka.gotemplate.Func;
import io.quokka.gotemplate.GoJson;
import io.quokka.gotemplate.GoTemplate;
import io.quokka.gotemplate.Node;
import io.quokka.gotemplate.Node.*;
import io.quokka.template.OllamaValues.TProperty;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An Ollama prompt template: Go template text plus Ollama's rendering rules (template/template.go).
 * This is the API layer's entry point; it never needs to know about Go templates.
 *
 * <ul>
 *   <li>Templates that mention {@code .Messages} get the (collated) message list, {@code .System},
 *       {@code .Tools}, {@code .Think*}.</li>
 *   <li>Legacy templates ({@code .System}/{@code .Prompt}/{@code .Response}) are executed once per
 *       user/assistant round; the last round is cut right after {@code .Response} so the model
 *       continues a trailing assistant message.</li>
 *   <li>A template mentioning neither {@code .Messages} nor {@code .Response} gets {@code {{ .Response }}}
 *       appended at parse time, as Ollama does.</li>
 * </ul>
 */
public final class PromptTemplate {
    private static final Map<String, Func> OLLAMA_FUNCS = Map.of(
            "json", new Func("json", 1, 1, false, a -> {
                try {
                    return GoJson.marshal(a.getFirst());
                } catch (GoJson.UnsupportedValue e) {
                    return ""; // Ollama ignores json.Marshal errors
                }
            }),
            // Ollama accepts (and ignores) a format argument.
            "currentDate", new Func("currentDate", 0, -1, true, a -> LocalDate.now().toString()),
            "yesterdayDate", new Func("yesterdayDate", 0, -1, true, a -> LocalDate.now().minusDays(1).toString()),
            "toTypeScriptType", new Func("toTypeScriptType", 1, 1, false,
                    a -> a.getFirst() instanceof TProperty p ? p.toTypeScriptType() : "any"));

    /** The text of Ollama's DefaultTemplate, what a model without a template layer has. */
    public static final String DEFAULT_TEXT = "{{ .Prompt }}";
    /** Ollama's DefaultTemplate. */
    public static final PromptTemplate DEFAULT = parse(DEFAULT_TEXT);

    private final String text;
    private final GoTemplate template;
    private final List<String> vars;
    private final ListNode legacyCut;
    private final ThinkingTags tags;
    private final String toolCallTag;

    /** Opening and closing tags around thinking, inferred from the template (thinking.InferTags). */
    public record ThinkingTags(String open, String close) {}

    private PromptTemplate(String text, GoTemplate template, List<String> vars) {
        this.text = text;
        this.template = template;
        this.vars = vars;
        this.legacyCut = vars.contains("messages") ? null : TemplateTrees.cutAfterResponse(template.root());
        this.tags = TemplateTrees.inferThinkingTags(template.root());
        this.toolCallTag = TemplateTrees.toolCallTag(template.root());
    }

    /**
     * Parses template text (CRLF is normalised as Ollama does for its library).
     *
     * @throws TemplateException on Go syntax errors, unknown functions, or {@code {{template "x"}}}
     *                           without a pipeline (which Ollama rejects)
     */
    public static PromptTemplate parse(String text) {
        GoTemplate t = GoTemplate.parse(text, OLLAMA_FUNCS);
        List<String> vars = TemplateTrees.vars(t);
        if (!vars.contains("messages") && !vars.contains("response")) {
            List<Node> nodes = new ArrayList<>(t.root().nodes());
            nodes.add(new ActionNode(text.length(), new PipeNode(text.length(), false, List.of(),
                    List.of(new CommandNode(text.length(), List.of(new FieldNode(text.length(), List.of("Response"))))))));
            t = t.withRoot(new ListNode(t.root().pos(), List.copyOf(nodes)));
        }
        return new PromptTemplate(text, t, vars);
    }

    /** The original template text. */
    public String text() {
        return text;
    }

    /** Lower-cased identifiers the template mentions (Ollama's Vars), sorted. */
    public List<String> vars() {
        return vars;
    }

    public boolean usesMessages() { return vars.contains("messages"); }

    /** Ollama's "tools" capability: the template mentions {@code .Tools}. */
    public boolean supportsTools() { return vars.contains("tools"); }

    /** Ollama's "insert" capability: the template mentions {@code .Suffix}. */
    public boolean supportsInsert() { return vars.contains("suffix"); }

    /** Ollama's "thinking" capability: thinking tags can be inferred. */
    public boolean supportsThinking() { return tags != null; }

    /** Whether the template mentions {@code .Think} (or {@code .ThinkLevel}). */
    public boolean usesThink() { return vars.contains("think") || vars.contains("thinklevel"); }

    public Optional<ThinkingTags> thinkingTags() { return Optional.ofNullable(tags); }

    /**
     * What opens a tool call in this model's output (Ollama's tools.parseTag): the first text of the template's
     * {@code {{ if .ToolCalls }}} block, e.g. {@code <tool_call>}, {@code [TOOL_CALLS]}; "{" (bare JSON) when
     * the template shows none.
     */
    public String toolCallTag() { return toolCallTag; }

    /**
     * Capabilities derived from the template, in Ollama's order: "tools", "insert", "thinking".
     * ("completion" depends on the model, not the template, and is the caller's to add.)
     */
    public List<String> capabilities() {
        List<String> c = new ArrayList<>();
        if (supportsTools()) c.add("tools");
        if (supportsInsert()) c.add("insert");
        if (supportsThinking()) c.add("thinking");
        return List.copyOf(c);
    }

    /**
     * Renders a chat prompt exactly as Ollama's Template.Execute does. {@code tools == null} means
     * the request had no tools ({@code .Tools} prints "null"); an empty list prints "[]".
     */
    public String renderChat(List<Msg> messages, List<Tool> tools, Think think) {
        return execute(messages == null ? List.of() : messages, tools, "", "", think == null ? Think.UNSET : think);
    }

    /**
     * /api/generate (non-raw): with a suffix, the template gets Prompt+Suffix (fill-in-the-middle);
     * otherwise the request becomes [system] + user messages and renders like a chat with no tools.
     * {@code system} should already be the request's or else the model's system prompt.
     */
    public String renderGenerate(String system, String prompt, String suffix, Think think) {
        Think th = think == null ? Think.UNSET : think;
        prompt = prompt == null ? "" : prompt;
        if (suffix != null && !suffix.isEmpty()) {
            return execute(null, null, prompt, suffix, th);
        }
        List<Msg> msgs = new ArrayList<>();
        if (system != null && !system.isEmpty()) msgs.add(Msg.system(system));
        msgs.add(Msg.user(prompt));
        return execute(msgs, List.of(), "", "", th);
    }

    private Map<String, Object> thinkValues(Map<String, Object> m, Think think) {
        m.put("Think", think.enabled());
        m.put("ThinkLevel", think.level());
        m.put("IsThinkSet", think.isSet());
        return m;
    }

    private String execute(List<Msg> messages, List<Tool> tools, String prompt, String suffix, Think think) {
        if (!prompt.isEmpty() && !suffix.isEmpty()) {
            Map<String, Object> m = new HashMap<>();
            m.put("Prompt", prompt);
            m.put("Suffix", suffix);
            m.put("Response", "");
            return template.execute(thinkValues(m, think));
        }
        Collated c = collate(messages == null ? List.of() : messages);
        if (usesMessages()) {
            Map<String, Object> m = new HashMap<>();
            m.put("System", c.system());
            m.put("Messages", OllamaValues.messages(c.messages()));
            m.put("Tools", OllamaValues.tools(tools));
            m.put("Response", "");
            return template.execute(thinkValues(m, think));
        }
        return executeLegacy(c.messages(), think);
    }

    /** Ollama's legacy path: one execution per system/user/assistant round. */
    private String executeLegacy(List<Msg> messages, Think think) {
        StringBuilder b = new StringBuilder();
        String[] round = {"", "", ""}; // system, prompt, response
        for (Msg m : messages) {
            switch (m.role()) {
                case "system" -> {
                    if (!round[1].isEmpty() || !round[2].isEmpty()) flushRound(b, round, think);
                    round[0] = m.content();
                }
                case "user" -> {
                    if (!round[2].isEmpty()) flushRound(b, round, think);
                    round[1] = m.content();
                }
                case "assistant" -> round[2] = m.content();
                default -> { }
            }
        }
        // Ollama executes the cut tree as a fresh template: built-in functions only, no {{define}}s.
        Map<String, Object> values = legacyValues(round, think);
        new Exec(text, Map.of(), Builtins.all(), b).run(legacyCut, values);
        return b.toString();
    }

    private void flushRound(StringBuilder b, String[] round, Think think) {
        template.execute(legacyValues(round, think), b);
        round[0] = round[1] = round[2] = "";
    }

    private Map<String, Object> legacyValues(String[] round, Think think) {
        Map<String, Object> m = new HashMap<>();
        m.put("System", round[0]);
        m.put("Prompt", round[1]);
        m.put("Response", round[2]);
        return thinkValues(m, think);
    }

    record Collated(String system, List<Msg> messages) {}

    /**
     * Ollama's collate: consecutive messages of the same role (except "tool") merge with a blank
     * line between contents, keeping the first message's other fields; all system contents also
     * join into {@code .System}.
     */
    static Collated collate(List<Msg> msgs) {
        List<String> system = new ArrayList<>();
        List<Msg> out = new ArrayList<>(msgs.size());
        for (Msg m : msgs) {
            if (m.role().equals("system")) system.add(m.content());
            if (!out.isEmpty() && out.getLast().role().equals(m.role()) && !m.role().equals("tool")) {
                Msg last = out.removeLast();
                out.add(last.withContent(last.content() + "\n\n" + m.content()));
            } else {
                out.add(m);
            }
        }
        return new Collated(String.join("\n\n", system), out);
    }

    /** Executes the template on arbitrary data (tests, custom callers); Ollama funcs available. */
    String render(Object data) {
        return template.execute(data);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Used by tests: the sorted-set helper for vars. */
    static List<String> sortedLower(List<String> idents) {
        TreeSet<String> set = new TreeSet<>();
        for (String s : idents) set.add(s.toLowerCase());
        return List.copyOf(set);
    }
}
