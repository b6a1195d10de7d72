package io.quokka.gotemplate;

import io.quokka.gotemplate.Node.ListNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Go {@code text/template}. Parse once, execute many times (concurrently if you like).
 * Built-in functions are Go's; extra functions (Ollama's {@code json} etc.) are supplied at parse
 * time because, as in Go, an unknown function is a parse error.
 */
public final class GoTemplate {
    private final String source;
    private final ListNode root;
    private final Map<String, ListNode> templates;
    private final Map<String, Func> funcs;

    private GoTemplate(String source, ListNode root, Map<String, ListNode> templates, Map<String, Func> funcs) {
        this.source = source;
        this.root = root;
        this.templates = templates;
        this.funcs = funcs;
    }

    /** Parses with Go's built-in functions only. */
    public static GoTemplate parse(String text) {
        return parse(text, Map.of());
    }

    public static GoTemplate parse(String text, Map<String, Func> extra) {
        Map<String, Func> funcs = new HashMap<>(Builtins.all());
        funcs.putAll(extra);
        Parser.Result r = Parser.parse(text, funcs.keySet());
        return new GoTemplate(text, r.root(), r.templates(), Map.copyOf(funcs));
    }

    /** Executes against {@code data} (see {@link GoStruct} for the data model) and returns the output. */
    public String execute(Object data) {
        StringBuilder sb = new StringBuilder();
        execute(data, sb);
        return sb.toString();
    }

    /** Executes into {@code out}; on error, output written so far stays in {@code out}, as in Go. */
    public void execute(Object data, StringBuilder out) {
        executeTree(root, data, out);
    }

    void executeTree(ListNode tree, Object data, StringBuilder out) {
        new Exec(source, templates, funcs, out).run(tree, data);
    }

    /** The text this template was parsed from. */
    public String source() {
        return source;
    }

    public ListNode root() {
        return root;
    }

    Map<String, ListNode> templates() {
        return templates;
    }

    /** Every tree: the root plus {{define}}d templates (Go's Templates()). */
    public List<ListNode> allTrees() {
        var all = new java.util.ArrayList<ListNode>();
        all.add(root);
        all.addAll(templates.values());
        return all;
    }

    public GoTemplate withRoot(ListNode newRoot) {
        return new GoTemplate(source, newRoot, templates, funcs);
    }
}
