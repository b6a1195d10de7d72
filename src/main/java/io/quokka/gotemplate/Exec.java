package io.quokka.gotemplate;

import io.quokka.gotemplate.GoValues.Kind;
import io.quokka.gotemplate.Node.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes a parse tree against data (text/template exec.go). One instance per execution; not
 * thread safe, but a {@link GoTemplate} can be executed concurrently since each run gets its own.
 *
 * <p>Go distinguishes an invalid reflect.Value from a nil interface; here both are Java
 * {@code null}. The one place the difference shows (a nil met in the middle of a field chain is an
 * error, an invalid start is not) is handled in {@link #evalFieldChain}.
 */
public final class Exec {
    private static final Object MISSING = new Object(); // no final value from a previous pipeline stage
    private static final int MAX_DEPTH = 1000;

    private final String src;
    private final Map<String, ListNode> templates;
    private final Map<String, Func> funcs;
    private final StringBuilder out;
    private final ArrayList<String> varNames = new ArrayList<>();
    private final ArrayList<Object> varValues = new ArrayList<>();
    private Node at;
    private int depth;

    private static final class Break extends RuntimeException {
        Break() { super(null, null, false, false); }
    }

    private static final class Continue extends RuntimeException {
        Continue() { super(null, null, false, false); }
    }

    private static final Break BREAK = new Break();
    private static final Continue CONTINUE = new Continue();

    public Exec(String src, Map<String, ListNode> templates, Map<String, Func> funcs, StringBuilder out) {
        this.src = src;
        this.templates = templates;
        this.funcs = funcs;
        this.out = out;
    }

    public void run(ListNode root, Object data) {
        push("$", data);
        walk(data, root);
    }

    // ---------------------------------------------------------------- variables

    private void push(String name, Object value) {
        varNames.add(name);
        varValues.add(value);
    }

    private int mark() {
        return varNames.size();
    }

    private void pop(int mark) {
        while (varNames.size() > mark) {
            varNames.removeLast();
            varValues.removeLast();
        }
    }

    private void setVar(String name, Object value) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(name)) {
                varValues.set(i, value);
                return;
            }
        }
        throw error("undefined variable: " + name);
    }

    private void setTopVar(int n, Object value) {
        varValues.set(varValues.size() - n, value);
    }

    private Object varValue(String name) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(name)) return varValues.get(i);
        }
        throw error("undefined variable: " + name);
    }

    // ---------------------------------------------------------------- walking

    private void walk(Object dot, Node node) {
        at = node;
        switch (node) {
            case TextNode t -> out.append(t.text());
            case ListNode l -> {
                for (Node n : l.nodes()) walk(dot, n);
            }
            case ActionNode a -> {
                // Variables declared by an action persist until the enclosing {{end}}; a declaration prints nothing.
                Object v = evalPipeline(dot, a.pipe());
                if (a.pipe().decl().isEmpty()) printValue(a, v);
            }
            case BranchNode b when b.kind() == Branch.RANGE -> walkRange(dot, b);
            case BranchNode b -> walkIfOrWith(dot, b);
            case TemplateNode t -> walkTemplate(dot, t);
            case BreakNode b -> throw BREAK;
            case ContinueNode c -> throw CONTINUE;
            default -> throw error("unknown node: " + node);
        }
    }

    private void walkIfOrWith(Object dot, BranchNode b) {
        int mark = mark();
        try {
            Object val = evalPipeline(dot, b.pipe());
            if (GoValues.truth(val)) {
                walk(b.kind() == Branch.WITH ? val : dot, b.list());
            } else if (b.elseList() != null) {
                walk(dot, b.elseList());
            }
        } finally {
            pop(mark);
        }
    }

    private void walkRange(Object dot, BranchNode r) {
        at = r;
        int outer = mark();
        try {
            Object val = GoValues.indirect(evalPipeline(dot, r.pipe()));
            int mark = mark();
            boolean ran = false;
            switch (GoValues.kind(val)) {
                case SLICE -> {
                    List<?> l = GoValues.asList(val);
                    for (int i = 0; i < l.size(); i++) {
                        ran = true;
                        if (!oneIteration(r, mark, (long) i, l.get(i))) break;
                    }
                }
                case MAP -> {
                    Map<?, ?> m = GoValues.asMap(val);
                    for (Object k : GoFmt.sortedKeys(m)) {
                        ran = true;
                        if (!oneIteration(r, mark, k, m.get(k))) break;
                    }
                }
                case INT -> {
                    if (r.pipe().decl().size() > 1) throw error("can't use " + GoFmt.sprint1(val) + " to iterate over more than one variable");
                    long n = ((Number) val).longValue();
                    for (long i = 0; i < n; i++) {
                        ran = true;
                        if (!oneIteration(r, mark, null, i)) break;
                    }
                }
                case INVALID -> { /* nil acts like an empty collection */ }
                default -> throw error("range can't iterate over " + GoFmt.sprint1(val));
            }
            if (!ran && r.elseList() != null) walk(dot, r.elseList());
        } finally {
            pop(outer);
        }
    }

    /** Returns false when the body executed {{break}}. */
    private boolean oneIteration(BranchNode r, int mark, Object index, Object elem) {
        PipeNode p = r.pipe();
        List<VariableNode> decl = p.decl();
        if (!decl.isEmpty()) {
            if (p.isAssign()) {
                setVar(decl.getFirst().ident().getFirst(), decl.size() > 1 ? index : elem);
                if (decl.size() > 1) setVar(decl.get(1).ident().getFirst(), elem);
            } else {
                setTopVar(1, elem);
                if (decl.size() > 1) setTopVar(2, index);
            }
        }
        try {
            walk(elem, r.list());
        } catch (Continue c) {
            // next iteration
        } catch (Break b) {
            return false;
        } finally {
            pop(mark);
        }
        return true;
    }

    private void walkTemplate(Object dot, TemplateNode t) {
        at = t;
        ListNode body = templates.get(t.name());
        if (body == null) throw error("template " + GoFmt.quote(t.name()) + " not defined");
        if (depth >= MAX_DEPTH) throw error("exceeded maximum template depth (" + MAX_DEPTH + ")");
        Object newDot = t.pipe() == null ? null : evalPipeline(dot, t.pipe());
        // No dynamic scoping: the invoked template sees only $ (and its own variables).
        ArrayList<String> savedNames = new ArrayList<>(varNames);
        ArrayList<Object> savedValues = new ArrayList<>(varValues);
        varNames.clear();
        varValues.clear();
        depth++;
        try {
            push("$", newDot);
            walk(newDot, body);
        } finally {
            depth--;
            varNames.clear();
            varValues.clear();
            varNames.addAll(savedNames);
            varValues.addAll(savedValues);
        }
    }

    // ---------------------------------------------------------------- evaluation

    private Object evalPipeline(Object dot, PipeNode pipe) {
        if (pipe == null) return null;
        at = pipe;
        Object value = MISSING;
        for (CommandNode cmd : pipe.cmds()) value = evalCommand(dot, cmd, value);
        for (VariableNode v : pipe.decl()) {
            if (pipe.isAssign()) setVar(v.ident().getFirst(), value);
            else push(v.ident().getFirst(), value);
        }
        return value;
    }

    private void notAFunction(List<Node> args, Object fin) {
        if (args.size() > 1 || fin != MISSING) throw error("can't give argument to non-function " + args.getFirst());
    }

    private Object evalCommand(Object dot, CommandNode cmd, Object fin) {
        Node first = cmd.args().getFirst();
        switch (first) {
            case FieldNode f:
                at = f;
                return evalFieldChain(dot, dot, f.ident(), cmd.args(), fin);
            case ChainNode c:
                return evalChain(dot, c, cmd.args(), fin);
            case IdentifierNode id:
                return evalFunction(dot, id, cmd.args(), fin);
            case PipeNode p:
                notAFunction(cmd.args(), fin);
                return evalPipeline(dot, p);
            case VariableNode v:
                return evalVariable(dot, v, cmd.args(), fin);
            default:
        }
        at = first;
        notAFunction(cmd.args(), fin);
        return switch (first) {
            case BoolNode b -> b.value();
            case DotNode d -> dot;
            case NilNode n -> throw error("nil is not a command");
            case NumberNode n -> idealConstant(n);
            case StringNode s -> s.text();
            default -> throw error("can't evaluate command " + GoFmt.quote(first.toString()));
        };
    }

    private Object idealConstant(NumberNode n) {
        at = n;
        Object c = n.constant();
        if (c == null) throw error(n.text() + " overflows int");
        return c;
    }

    private Object evalChain(Object dot, ChainNode c, List<Node> args, Object fin) {
        at = c;
        if (c.node() instanceof NilNode) throw error("indirection through explicit nil in " + c);
        Object pipe = evalArg(dot, c.node());
        return evalFieldChain(dot, pipe, c.field(), args, fin);
    }

    private Object evalVariable(Object dot, VariableNode v, List<Node> args, Object fin) {
        at = v;
        Object value = varValue(v.ident().getFirst());
        if (v.ident().size() == 1) {
            if (args != null) notAFunction(args, fin);
            return value;
        }
        return evalFieldChain(dot, value, v.ident().subList(1, v.ident().size()), args, fin);
    }

    private Object evalFieldChain(Object dot, Object receiver, List<String> ident, List<Node> args, Object fin) {
        int n = ident.size();
        for (int i = 0; i < n - 1; i++) {
            receiver = evalField(ident.get(i), null, MISSING, receiver, i > 0);
        }
        return evalField(ident.get(n - 1), args, fin, receiver, n > 1);
    }

    /**
     * {@code nilIsInterface}: the receiver came out of a previous field in this chain, so a null is a
     * nil interface (error) rather than an invalid value (silently no value).
     */
    private Object evalField(String name, List<Node> args, Object fin, Object receiver, boolean nilIsInterface) {
        if (receiver == null) {
            if (nilIsInterface) throw error("nil pointer evaluating interface {}." + name);
            return null;
        }
        boolean hasArgs = (args != null && args.size() > 1) || fin != MISSING;
        if (receiver instanceof GoValues.Stringer s && name.equals("String")) {
            if (hasArgs) throw error("wrong number of args for String: want 0 got " + (args == null ? 0 : args.size() - 1));
            return s.goString();
        }
        Object u = GoValues.indirect(receiver);
        switch (u) {
            case GoStruct s -> {
                Object v = s.goField(name);
                if (v != GoStruct.NO_SUCH_FIELD) {
                    if (hasArgs) throw error(name + " has arguments but cannot be invoked as function");
                    return v;
                }
            }
            case Map<?, ?> m -> {
                if (hasArgs) throw error(name + " is not a method but has arguments");
                return m.get(name);
            }
            case GoValues.Nil nil when nil == GoValues.Nil.MAP -> {
                if (hasArgs) throw error(name + " is not a method but has arguments");
                return null;
            }
            case GoValues.Nil nil when nil == GoValues.Nil.POINTER ->
                    throw error("nil pointer evaluating " + GoValues.typeName(receiver) + "." + name);
            default -> { }
        }
        throw error("can't evaluate field " + name + " in type " + GoValues.typeName(receiver));
    }

    private Object evalFunction(Object dot, IdentifierNode id, List<Node> args, Object fin) {
        at = id;
        Func f = funcs.get(id.ident());
        if (f == null) throw error(GoFmt.quote(id.ident()) + " is not a defined function");
        List<Node> rest = args == null ? List.of() : args.subList(1, args.size());
        int numIn = rest.size() + (fin != MISSING ? 1 : 0);
        if (f.maxArgs() < 0) {
            if (numIn < f.minArgs()) {
                throw error("wrong number of args for " + f.name() + ": want at least " + f.minArgs() + " got " + rest.size());
            }
        } else if (numIn != f.maxArgs()) {
            throw error("wrong number of args for " + f.name() + ": want " + f.maxArgs() + " got " + numIn);
        }
        if (f.name().equals("and") || f.name().equals("or")) {
            // Short-circuit: stop at the first operand that decides the result, and return it.
            boolean isOr = f.name().equals("or");
            Object v = null;
            for (Node a : rest) {
                v = evalArg(dot, a);
                if (GoValues.truth(v) == isOr) return v;
            }
            return fin != MISSING ? fin : v;
        }
        List<Object> argv = new ArrayList<>(numIn);
        for (Node a : rest) argv.add(evalArg(dot, a));
        if (fin != MISSING) argv.add(fin);
        if (f.stringArgs()) {
            for (Object a : argv) {
                if (!(a instanceof String)) {
                    if (a == null) throw error("invalid value; expected string");
                    throw error("wrong type for value; expected string; got " + GoValues.typeName(a));
                }
            }
        }
        try {
            return f.impl().call(argv);
        } catch (Func.CallError e) {
            at = id;
            throw error("error calling " + f.name() + ": " + e.getMessage());
        }
    }

    private Object evalArg(Object dot, Node n) {
        at = n;
        return switch (n) {
            case DotNode d -> dot;
            case NilNode nil -> null;
            case FieldNode f -> evalFieldChain(dot, dot, f.ident(), List.of(n), MISSING);
            case VariableNode v -> evalVariable(dot, v, null, MISSING);
            case PipeNode p -> evalPipeline(dot, p);
            case IdentifierNode id -> evalFunction(dot, id, null, MISSING);
            case ChainNode c -> evalChain(dot, c, null, MISSING);
            case BoolNode b -> b.value();
            case NumberNode num -> idealConstant(num);
            case StringNode s -> s.text();
            default -> throw error("can't handle " + n + " for arg");
        };
    }

    private void printValue(Node n, Object v) {
        at = n;
        if (v == null) {
            out.append("<no value>");
            return;
        }
        GoFmt.printValue(out, v, 0);
    }

    // ---------------------------------------------------------------- errors

    private TemplateException error(String msg) {
        int pos = at == null ? 0 : at.pos();
        int line = Positions.line(src, pos);
        int col = Positions.column(src, pos);
        String context = at == null ? "" : at.toString();
        if (context.length() > 20) context = context.substring(0, 20) + "...";
        String where = at == null ? "template: : " : "template: :" + line + ":" + col + ": executing \"\" at <" + context + ">: ";
        return new TemplateException(where + msg, line, col);
    }

    static boolean isKind(Object v, Kind k) {
        return GoValues.kind(v) == k;
    }
}
