package io.quokka.template;

import io.quokka.gotemplate.GoTemplate;
import io.quokka.gotemplate.Node;
import io.quokka.gotemplate.Node.*;
import io.quokka.gotemplate.Positions;
import io.quokka.gotemplate.TemplateException;
import java.util.ArrayList;
import java.util.List;

/** Ollama's tree walks over a parsed template: Identifiers/Vars, deleteNode (the Response cut), InferTags. */
final class TemplateTrees {
    private TemplateTrees() {}

    /** template.Vars: every field and variable identifier, lower-cased, de-duplicated, sorted. */
    static List<String> vars(GoTemplate t) {
        List<String> ids = new ArrayList<>();
        for (ListNode tree : t.allTrees()) identifiers(tree, ids);
        return PromptTemplate.sortedLower(ids);
    }

    private static void identifiers(Node n, List<String> out) {
        switch (n) {
            case ListNode l -> l.nodes().forEach(c -> identifiers(c, out));
            case TemplateNode t -> {
                if (t.pipe() == null) {
                    throw new TemplateException("undefined template specified", Positions.line("", 0), 0);
                }
                identifiers(t.pipe(), out);
            }
            case ActionNode a -> identifiers(a.pipe(), out);
            case BranchNode b -> {
                identifiers(b.pipe(), out);
                identifiers(b.list(), out);
                if (b.elseList() != null) identifiers(b.elseList(), out);
            }
            case PipeNode p -> p.cmds().forEach(c -> c.args().forEach(a -> identifiers(a, out)));
            case FieldNode f -> out.addAll(f.ident());
            case VariableNode v -> out.addAll(v.ident());
            default -> { }
        }
    }

    /**
     * template.Execute's deleteNode: keep everything up to and including the first field node
     * naming Response (in walk order; if/range/with pipelines are not walked), drop all after it.
     */
    static ListNode cutAfterResponse(ListNode root) {
        Node r = new Cutter().walk(root);
        return r == null ? new ListNode(root.pos(), List.of()) : (ListNode) r;
    }

    private static final class Cutter {
        boolean cut;

        private boolean matches(Node n) {
            if (n instanceof FieldNode f && f.ident().contains("Response")) {
                cut = true;
                return false;
            }
            return cut;
        }

        Node walk(Node n) {
            if (matches(n)) return null;
            switch (n) {
                case ListNode l -> {
                    List<Node> nodes = new ArrayList<>();
                    for (Node c : l.nodes()) {
                        Node w = walk(c);
                        if (w != null) nodes.add(w);
                    }
                    return new ListNode(l.pos(), List.copyOf(nodes));
                }
                case BranchNode b -> {
                    // Go would panic on a nil list here; an empty list is the forgiving equivalent.
                    Node list = walk(b.list());
                    Node elseList = b.elseList() == null ? null : walk(b.elseList());
                    return new BranchNode(b.pos(), b.kind(), b.pipe(),
                            list == null ? new ListNode(b.list().pos(), List.of()) : (ListNode) list, (ListNode) elseList);
                }
                case ActionNode a -> {
                    Node p = walk(a.pipe());
                    return p == null ? null : new ActionNode(a.pos(), (PipeNode) p);
                }
                case PipeNode p -> {
                    List<CommandNode> cmds = new ArrayList<>();
                    for (CommandNode c : p.cmds()) {
                        List<Node> args = new ArrayList<>();
                        for (Node a : c.args()) {
                            Node w = walk(a);
                            if (w != null) args.add(w);
                        }
                        if (args.isEmpty()) return null;
                        cmds.add(new CommandNode(c.pos(), List.copyOf(args)));
                    }
                    if (cmds.isEmpty()) return null;
                    return new PipeNode(p.pos(), p.isAssign(), p.decl(), List.copyOf(cmds));
                }
                default -> {
                    return n;
                }
            }
        }
    }

    /**
     * thinking.InferTags: for a {@code .Thinking} field inside a range over {@code .Messages}, the
     * trimmed first and last text nodes of the nearest enclosing list are the tags. Last match wins.
     */
    static PromptTemplate.ThinkingTags inferThinkingTags(ListNode root) {
        String[] tags = {"", ""};
        visit(root, new ArrayList<>(), tags);
        if (tags[0].isEmpty() || tags[1].isEmpty()) return null;
        return new PromptTemplate.ThinkingTags(tags[0], tags[1]);
    }

    private static void visit(Node n, List<Node> ancestors, String[] tags) {
        if (n == null) return;
        ancestors.add(n);
        switch (n) {
            case FieldNode f when !f.ident().isEmpty() && f.ident().getFirst().equals("Thinking") -> {
                BranchNode range = null;
                for (int i = ancestors.size() - 1; i >= 0; i--) {
                    if (ancestors.get(i) instanceof BranchNode b && b.kind() == Branch.RANGE) {
                        range = b;
                        break;
                    }
                }
                if (range != null && usesField(range.pipe(), "Messages")) {
                    for (int i = ancestors.size() - 1; i >= 0; i--) {
                        if (ancestors.get(i) instanceof ListNode l) {
                            if (l.nodes().getFirst() instanceof TextNode t) tags[0] = t.text().strip();
                            if (l.nodes().getLast() instanceof TextNode t) tags[1] = t.text().strip();
                            break;
                        }
                    }
                }
            }
            case ListNode l -> l.nodes().forEach(c -> visit(c, ancestors, tags));
            case BranchNode b -> {
                visit(b.pipe(), ancestors, tags);
                visit(b.list(), ancestors, tags);
                visit(b.elseList(), ancestors, tags);
            }
            case ActionNode a -> visit(a.pipe(), ancestors, tags);
            case TemplateNode t -> visit(t.pipe(), ancestors, tags);
            case PipeNode p -> p.cmds().forEach(c -> visit(c, ancestors, tags));
            case CommandNode c -> c.args().forEach(a -> visit(a, ancestors, tags));
            default -> { }
        }
        ancestors.removeLast();
    }

    private static boolean usesField(Node n, String field) {
        return switch (n) {
            case FieldNode f -> f.ident().getFirst().equals(field);
            case PipeNode p -> p.cmds().stream().anyMatch(c -> usesField(c, field));
            case CommandNode c -> c.args().stream().anyMatch(a -> usesField(a, field));
            default -> false;
        };
    }

    /**
     * tools.parseTag: the text that opens a tool call in the model's output, taken from the template's
     * {@code {{ if .ToolCalls }}} block (its first non-blank text, cut before any "{" and trimmed), e.g.
     * {@code <tool_call>} or {@code [TOOL_CALLS]}; "{" when the template has none, so bare JSON objects are tried.
     */
    static String toolCallTag(ListNode root) {
        BranchNode calls = findToolCallsIf(root.nodes());
        if (calls == null) return "{";
        TextNode text = firstText(calls.list().nodes());
        if (text == null) return "{";
        String tag = text.text().replace("\r\n", "\n");
        int brace = tag.indexOf('{');
        if (brace >= 0) tag = tag.substring(0, brace);
        tag = tag.strip();
        return tag.isEmpty() ? "{" : tag;
    }

    private static BranchNode findToolCallsIf(List<Node> nodes) {
        for (Node node : nodes) {
            BranchNode found = switch (node) {
                case BranchNode b when b.kind() == Branch.IF && mentionsToolCalls(b.pipe()) -> b;
                case BranchNode b -> {
                    BranchNode r = findToolCallsIf(b.list().nodes());
                    if (r == null && b.elseList() != null) r = findToolCallsIf(b.elseList().nodes());
                    yield r;
                }
                case ListNode l -> findToolCallsIf(l.nodes());
                default -> null;
            };
            if (found != null) return found;
        }
        return null;
    }

    private static boolean mentionsToolCalls(PipeNode pipe) {
        for (CommandNode c : pipe.cmds()) {
            for (Node a : c.args()) if (a instanceof FieldNode f && f.ident().contains("ToolCalls")) return true;
        }
        return false;
    }

    /** Depth-first, the first non-blank text; stops at an action or after the first if/range/with. */
    private static TextNode firstText(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case TextNode t when !t.text().isBlank() -> {
                    return t;
                }
                case BranchNode b -> {
                    TextNode t = firstText(b.list().nodes());
                    if (t == null && b.elseList() != null) t = firstText(b.elseList().nodes());
                    return t;
                }
                case ListNode l -> {
                    TextNode t = firstText(l.nodes());
                    if (t != null) return t;
                }
                case ActionNode a -> {
                    return null;
                }
                default -> { }
            }
        }
        return null;
    }
}
