package io.quokka.gotemplate;

import io.quokka.gotemplate.Node.*;
import io.quokka.gotemplate.Token.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser following text/template/parse/parse.go closely, so the same templates
 * are accepted and rejected with the same messages. Produces the root list plus any
 * {@code define}/{@code block} templates.
 */
final class Parser {
    private final String src;
    private final List<Token> toks;
    private final Set<String> funcs;
    private final Map<String, ListNode> defined;
    private int i;
    private List<String> vars = new ArrayList<>(List.of("$"));
    private int rangeDepth;

    private Parser(String src, Set<String> funcs) {
        this.src = src;
        this.toks = Lexer.lex(src);
        this.funcs = funcs;
        this.defined = new HashMap<>();
    }

    record Result(ListNode root, Map<String, ListNode> templates) {}

    static Result parse(String src, Set<String> funcs) {
        Parser p = new Parser(src, funcs);
        ListNode root = p.parseRoot();
        return new Result(root, Map.copyOf(p.defined));
    }

    // ---- token stream ----
    private Token next() { return toks.get(i++); }
    private Token peek() { return toks.get(i); }
    private void backup() { i--; }

    private Token nextNonSpace() {
        Token t;
        do { t = next(); } while (t.kind() == Kind.SPACE);
        return t;
    }

    private Token peekNonSpace() {
        Token t = nextNonSpace();
        backup();
        return t;
    }

    private TemplateException error(String msg) {
        int at = toks.get(Math.max(0, Math.min(i, toks.size()) - 1)).pos();
        return Positions.error(src, at, msg);
    }

    private TemplateException unexpected(Token t, String context) {
        return error("unexpected " + t.describe() + " in " + context);
    }

    private Token expect(Kind k, String context) {
        Token t = nextNonSpace();
        if (t.kind() != k) throw unexpected(t, context);
        return t;
    }

    // ---- structure ----
    private ListNode parseRoot() {
        List<Node> nodes = new ArrayList<>();
        int start = peek().pos();
        while (peek().kind() != Kind.EOF) {
            if (peek().kind() == Kind.LEFT_DELIM) {
                int mark = i;
                next();
                if (nextNonSpace().kind() == Kind.DEFINE) {
                    parseDefinition();
                    continue;
                }
                i = mark;
            }
            Node n = textOrAction();
            if (n instanceof Marker m) throw error("unexpected " + m);
            nodes.add(n);
        }
        return new ListNode(start, nodes);
    }

    private void parseDefinition() {
        Token nameTok = nextNonSpace();
        if (nameTok.kind() != Kind.STRING && nameTok.kind() != Kind.RAW_STRING) throw unexpected(nameTok, "define clause");
        String name = GoStrings.unquote(nameTok.val(), () -> error("invalid syntax"));
        expect(Kind.RIGHT_DELIM, "define clause");
        List<String> saved = vars;
        vars = new ArrayList<>(List.of("$"));
        var r = itemList();
        vars = saved;
        if (r.end() != Marker.END) throw error("unexpected " + r.end() + " in define clause");
        addTemplate(name, r.list());
    }

    private void addTemplate(String name, ListNode body) {
        ListNode old = defined.get(name);
        // Go keeps an existing non-empty definition when redefined with an empty one.
        if (old != null && isEmptyTree(body)) return;
        defined.put(name, body);
    }

    private static boolean isEmptyTree(ListNode l) {
        for (Node n : l.nodes()) {
            if (!(n instanceof TextNode t) || !t.text().isBlank()) return false;
        }
        return true;
    }

    private record ItemList(ListNode list, Marker end) {}

    private ItemList itemList() {
        List<Node> nodes = new ArrayList<>();
        int start = peekNonSpace().pos();
        while (peekNonSpace().kind() != Kind.EOF) {
            Node n = textOrAction();
            if (n instanceof Marker m) return new ItemList(new ListNode(start, nodes), m);
            nodes.add(n);
        }
        throw error("unexpected EOF");
    }

    private Node textOrAction() {
        Token t = nextNonSpace();
        return switch (t.kind()) {
            case TEXT -> new TextNode(t.pos(), t.val());
            case LEFT_DELIM -> action();
            default -> throw unexpected(t, "input");
        };
    }

    private Node action() {
        Token t = nextNonSpace();
        switch (t.kind()) {
            case BLOCK: return blockControl();
            case BREAK: return loopControl(t, "break");
            case CONTINUE: return loopControl(t, "continue");
            case ELSE: return elseControl();
            case END: expect(Kind.RIGHT_DELIM, "end"); return Marker.END;
            case IF: return control(Branch.IF, t.pos());
            case RANGE: return control(Branch.RANGE, t.pos());
            case TEMPLATE: return templateControl();
            case WITH: return control(Branch.WITH, t.pos());
            default:
        }
        backup();
        int pos = peek().pos();
        return new ActionNode(pos, pipeline("command", Kind.RIGHT_DELIM));
    }

    private Node loopControl(Token t, String word) {
        Token n = nextNonSpace();
        if (n.kind() != Kind.RIGHT_DELIM) throw unexpected(n, "{{" + word + "}}");
        if (rangeDepth == 0) throw error("{{" + word + "}} outside {{range}}");
        return word.equals("break") ? new BreakNode(t.pos()) : new ContinueNode(t.pos());
    }

    private Node elseControl() {
        Token p = peekNonSpace();
        if (p.kind() == Kind.IF || p.kind() == Kind.WITH) return Marker.ELSE; // "else if" / "else with"
        expect(Kind.RIGHT_DELIM, "else");
        return Marker.ELSE;
    }

    private Node control(Branch kind, int pos) {
        String context = kind.name().toLowerCase();
        int mark = vars.size();
        try {
            PipeNode pipe = pipeline(context, Kind.RIGHT_DELIM);
            if (kind == Branch.RANGE) rangeDepth++;
            ItemList body = itemList();
            if (kind == Branch.RANGE) rangeDepth--;
            ListNode elseList = null;
            if (body.end() == Marker.ELSE) {
                Kind pk = peek().kind();
                if ((kind == Branch.IF && pk == Kind.IF) || (kind == Branch.WITH && pk == Kind.WITH)) {
                    // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}: one {{end}} closes both.
                    Token kw = next();
                    Node nested = control(kind, kw.pos());
                    elseList = new ListNode(kw.pos(), List.of(nested));
                } else {
                    ItemList e = itemList();
                    if (e.end() != Marker.END) throw error("expected end; found " + e.end());
                    elseList = e.list();
                }
            }
            return new BranchNode(pos, kind, pipe, body.list(), elseList);
        } finally {
            popVars(mark);
        }
    }

    private void popVars(int n) {
        while (vars.size() > n) vars.removeLast();
    }

    private Node templateControl() {
        Token t = nextNonSpace();
        String name = templateName(t, "template clause");
        PipeNode pipe = null;
        if (nextNonSpace().kind() != Kind.RIGHT_DELIM) {
            backup();
            pipe = pipeline("template clause", Kind.RIGHT_DELIM);
        }
        return new TemplateNode(t.pos(), name, pipe);
    }

    private Node blockControl() {
        Token t = nextNonSpace();
        String name = templateName(t, "block clause");
        if (nextNonSpace().kind() == Kind.RIGHT_DELIM) throw error("missing pipeline in block clause");
        backup();
        PipeNode pipe = pipeline("block clause", Kind.RIGHT_DELIM);
        List<String> saved = vars;
        int savedDepth = rangeDepth;
        vars = new ArrayList<>(List.of("$"));
        rangeDepth = 0;
        ItemList body = itemList();
        vars = saved;
        rangeDepth = savedDepth;
        if (body.end() != Marker.END) throw error("unexpected " + body.end() + " in block clause");
        addTemplate(name, body.list());
        return new TemplateNode(t.pos(), name, pipe);
    }

    private String templateName(Token t, String context) {
        if (t.kind() == Kind.STRING || t.kind() == Kind.RAW_STRING) {
            return GoStrings.unquote(t.val(), () -> error("invalid syntax"));
        }
        throw unexpected(t, context);
    }

    // ---- pipelines ----
    private PipeNode pipeline(String context, Kind end) {
        int pos = peekNonSpace().pos();
        boolean isAssign = false;
        List<VariableNode> decl = new ArrayList<>();
        List<CommandNode> cmds = new ArrayList<>();
        decls:
        while (true) {
            Token v = peekNonSpace();
            if (v.kind() != Kind.VARIABLE) break;
            nextNonSpace();
            int afterVar = i;
            Token nxt = nextNonSpace();
            switch (nxt.kind()) {
                case ASSIGN, DECLARE -> {
                    isAssign = nxt.kind() == Kind.ASSIGN;
                    decl.add(new VariableNode(v.pos(), List.of(v.val())));
                    vars.add(v.val());
                    break decls;
                }
                case CHAR -> {
                    if (nxt.val().equals(",")) {
                        decl.add(new VariableNode(v.pos(), List.of(v.val())));
                        vars.add(v.val());
                        if (context.equals("range") && decl.size() < 2) {
                            Kind pk = peekNonSpace().kind();
                            if (pk == Kind.VARIABLE || pk == Kind.RIGHT_DELIM || pk == Kind.RIGHT_PAREN) continue;
                            throw error("range can only initialize variables");
                        }
                        throw error("too many declarations in " + context);
                    }
                    i = afterVar - 1;
                    break decls;
                }
                default -> {
                    i = afterVar - 1; // push the variable back: it is an operand
                    break decls;
                }
            }
        }
        while (true) {
            Token t = nextNonSpace();
            if (t.kind() == end) {
                if (cmds.isEmpty()) throw error("missing value for " + context);
                for (int k = 1; k < cmds.size(); k++) {
                    Node first = cmds.get(k).args().getFirst();
                    if (first instanceof BoolNode || first instanceof DotNode || first instanceof NilNode
                            || first instanceof NumberNode || first instanceof StringNode) {
                        throw error("non executable command in pipeline stage " + (k + 1));
                    }
                }
                return new PipeNode(pos, isAssign, List.copyOf(decl), List.copyOf(cmds));
            }
            switch (t.kind()) {
                case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE, LEFT_PAREN -> {
                    backup();
                    cmds.add(command());
                }
                default -> throw unexpected(t, context);
            }
        }
    }

    private CommandNode command() {
        int pos = peekNonSpace().pos();
        List<Node> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) args.add(operand);
            Token t = next();
            if (t.kind() == Kind.SPACE) continue;
            if (t.kind() == Kind.RIGHT_DELIM || t.kind() == Kind.RIGHT_PAREN) backup();
            else if (t.kind() != Kind.PIPE) throw unexpected(t, "operand");
            break;
        }
        if (args.isEmpty()) throw error("empty command");
        return new CommandNode(pos, List.copyOf(args));
    }

    private Node operand() {
        Node node = term();
        if (node == null) return null;
        if (peek().kind() == Kind.FIELD) {
            int pos = peek().pos();
            List<String> fields = new ArrayList<>();
            while (peek().kind() == Kind.FIELD) fields.add(next().val().substring(1));
            switch (node) {
                case FieldNode f -> node = new FieldNode(f.pos(), concat(f.ident(), fields));
                case VariableNode v -> node = new VariableNode(v.pos(), concat(v.ident(), fields));
                case BoolNode b -> throw error("unexpected . after term " + GoFmt.quote(b.toString()));
                case StringNode s -> throw error("unexpected . after term " + GoFmt.quote(s.toString()));
                case NumberNode n -> throw error("unexpected . after term " + GoFmt.quote(n.toString()));
                case NilNode n -> throw error("unexpected . after term " + GoFmt.quote(n.toString()));
                case DotNode d -> throw error("unexpected . after term " + GoFmt.quote(d.toString()));
                default -> node = new ChainNode(pos, node, List.copyOf(fields));
            }
        }
        return node;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> r = new ArrayList<>(a);
        r.addAll(b);
        return List.copyOf(r);
    }

    private Node term() {
        Token t = nextNonSpace();
        switch (t.kind()) {
            case IDENTIFIER:
                if (!funcs.contains(t.val())) throw error("function " + GoFmt.quote(t.val()) + " not defined");
                return new IdentifierNode(t.pos(), t.val());
            case DOT: return new DotNode(t.pos());
            case NIL: return new NilNode(t.pos());
            case VARIABLE:
                if (!vars.contains(t.val())) throw error("undefined variable " + GoFmt.quote(t.val()));
                return new VariableNode(t.pos(), List.of(t.val()));
            case FIELD: return new FieldNode(t.pos(), List.of(t.val().substring(1)));
            case BOOL: return new BoolNode(t.pos(), t.val().equals("true"));
            case CHAR_CONSTANT:
            case NUMBER: return number(t);
            case LEFT_PAREN: return pipeline("parenthesized pipeline", Kind.RIGHT_PAREN);
            case STRING:
            case RAW_STRING:
                return new StringNode(t.pos(), t.val(), GoStrings.unquote(t.val(), () -> error("invalid syntax")));
            default:
                backup();
                return null;
        }
    }

    /** Go's parse.NewNumber: work out every type the literal can represent. */
    private NumberNode number(Token t) {
        String text = t.val();
        if (t.kind() == Kind.CHAR_CONSTANT) {
            String s = GoStrings.unquote(text, () -> error("malformed character constant: " + text));
            int cp = s.codePointAt(0);
            if (s.codePointCount(0, s.length()) != 1) throw error("malformed character constant: " + text);
            return new NumberNode(t.pos(), text, true, true, true, cp, cp, true);
        }
        if (text.endsWith("i")) throw error("complex numbers are not supported: " + text);
        boolean isInt = false, isUint = false, isFloat = false;
        long i64 = 0;
        double f64 = 0;
        BigInteger big = parseGoInt(text);
        if (big != null) {
            if (big.signum() >= 0 && big.bitLength() <= 64 && text.charAt(0) != '-' && text.charAt(0) != '+') {
                isUint = true;
                i64 = big.longValue();
            }
            if (big.bitLength() <= 63) {
                isInt = true;
                i64 = big.longValue();
            }
        }
        if (isInt) {
            isFloat = true;
            f64 = (double) i64;
        } else if (isUint) {
            isFloat = true;
            f64 = big.doubleValue();
        } else {
            Double f = parseGoFloat(text);
            if (f != null) {
                if (!text.chars().anyMatch(c -> ".eEpP".indexOf(c) >= 0)) throw error("integer overflow: " + GoFmt.quote(text));
                isFloat = true;
                f64 = f;
                if (f == Math.rint(f) && Math.abs(f) < 9.2e18) {
                    isInt = true;
                    i64 = (long) f.doubleValue();
                }
            }
        }
        if (!isInt && !isUint && !isFloat) throw error("illegal number syntax: " + GoFmt.quote(text));
        return new NumberNode(t.pos(), text, isInt, isUint, isFloat, i64, f64, false);
    }

    /** strconv.ParseInt(text, 0, 64) syntax, without the range check. */
    private static BigInteger parseGoInt(String text) {
        String s = text;
        boolean neg = false;
        if (s.startsWith("+") || s.startsWith("-")) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int radix = 10;
        boolean prefixed = false;
        if (s.length() > 1 && s.charAt(0) == '0') {
            char c = Character.toLowerCase(s.charAt(1));
            if (c == 'x') { radix = 16; s = s.substring(2); prefixed = true; }
            else if (c == 'o') { radix = 8; s = s.substring(2); prefixed = true; }
            else if (c == 'b') { radix = 2; s = s.substring(2); prefixed = true; }
            else { radix = 8; s = s.substring(1); prefixed = true; }
        }
        if (s.contains("_")) {
            // underscores only between digits (or after a base prefix)
            if (!prefixed && (s.startsWith("_"))) return null;
            if (s.endsWith("_") || s.contains("__")) return null;
            s = s.replace("_", "");
        }
        if (s.isEmpty()) return text.replace("_", "").matches("[+-]?0") ? BigInteger.ZERO : null;
        try {
            BigInteger b = new BigInteger(s, radix);
            return neg ? b.negate() : b;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double parseGoFloat(String text) {
        String s = text.replace("_", "");
        try {
            if (s.matches("[+-]?0[xX].*")) {
                String t = s.contains("p") || s.contains("P") ? s : null;
                return t == null ? null : Double.parseDouble(t);
            }
            if (!s.matches("[+-]?(\\d+\\.?\\d*([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)")) return null;
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
