package io.quokka.gotemplate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The parse tree, mirroring text/template/parse node types. Every node records its char offset
 * ({@code pos}) for error messages. {@code toString()} renders Go's node String() form, which
 * appears in execution errors ({@code executing "" at <.Foo>}).
 */
public sealed interface Node {
    int pos();

    // ---- statement level ----
    record ListNode(int pos, List<Node> nodes) implements Node {}

    record TextNode(int pos, String text) implements Node {}

    record ActionNode(int pos, PipeNode pipe) implements Node {
        @Override public String toString() { return "{{" + pipe + "}}"; }
    }

    /** if / with / range share this shape; {@code kind} tells them apart. */
    record BranchNode(int pos, Branch kind, PipeNode pipe, ListNode list, ListNode elseList) implements Node {}

    enum Branch { IF, WITH, RANGE }

    record TemplateNode(int pos, String name, PipeNode pipe) implements Node {}

    record BreakNode(int pos) implements Node {}

    record ContinueNode(int pos) implements Node {}

    // ---- pipeline level ----
    record PipeNode(int pos, boolean isAssign, List<VariableNode> decl, List<CommandNode> cmds) implements Node {
        @Override public String toString() {
            String s = "";
            if (!decl.isEmpty()) {
                s = decl.stream().map(Object::toString).collect(Collectors.joining(", "))
                        + (isAssign ? " = " : " := ");
            }
            return s + cmds.stream().map(Object::toString).collect(Collectors.joining(" | "));
        }
    }

    record CommandNode(int pos, List<Node> args) implements Node {
        @Override public String toString() {
            return args.stream().map(a -> a instanceof PipeNode ? "(" + a + ")" : a.toString())
                    .collect(Collectors.joining(" "));
        }
    }

    record FieldNode(int pos, List<String> ident) implements Node {
        @Override public String toString() { return "." + String.join(".", ident); }
    }

    /** {@code $x.A.B}: ident[0] is the variable name including '$'. */
    record VariableNode(int pos, List<String> ident) implements Node {
        @Override public String toString() { return String.join(".", ident); }
    }

    /** {@code (pipe).A.B} or other term followed by fields. */
    record ChainNode(int pos, Node node, List<String> field) implements Node {
        @Override public String toString() {
            String n = node instanceof PipeNode ? "(" + node + ")" : node.toString();
            return n + "." + String.join(".", field);
        }
    }

    record IdentifierNode(int pos, String ident) implements Node {
        @Override public String toString() { return ident; }
    }

    record DotNode(int pos) implements Node {
        @Override public String toString() { return "."; }
    }

    record NilNode(int pos) implements Node {
        @Override public String toString() { return "nil"; }
    }

    record BoolNode(int pos, boolean value) implements Node {
        @Override public String toString() { return Boolean.toString(value); }
    }

    record StringNode(int pos, String quoted, String text) implements Node {
        @Override public String toString() { return quoted; }
    }

    /**
     * A numeric literal with Go's "ideal constant" facets: a literal may be usable as int, uint and
     * float at once ({@code 3}), and the executor picks one by syntax (see {@link #constant()}).
     */
    record NumberNode(int pos, String text, boolean isInt, boolean isUint, boolean isFloat,
                      long int64, double float64, boolean isChar) implements Node {
        @Override public String toString() { return text; }

        /** Go's idealConstant: float if the literal looks like one, else int. */
        Object constant() {
            boolean hex = text.length() > 2 && text.charAt(0) == '0' && (text.charAt(1) == 'x' || text.charAt(1) == 'X')
                    && text.chars().noneMatch(c -> c == 'p' || c == 'P');
            if (isFloat && !hex && !isChar && text.chars().anyMatch(c -> ".eEpP".indexOf(c) >= 0)) return float64;
            if (isInt) return int64;
            return null;
        }
    }

    /** Parser-internal pseudo nodes for {{end}} / {{else}}; never part of a finished tree. */
    enum Marker implements Node {
        END, ELSE;
        @Override public int pos() { return 0; }
        @Override public String toString() { return this == END ? "{{end}}" : "{{else}}"; }
    }
}
