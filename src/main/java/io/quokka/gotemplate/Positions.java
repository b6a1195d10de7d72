package io.quokka.gotemplate;

/** Turns char offsets into Go-style "template: :LINE:" error messages. */
public final class Positions {
    private Positions() {}

    public static int line(String src, int pos) {
        int line = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) if (src.charAt(i) == '\n') line++;
        return line;
    }

    static int column(String src, int pos) {
        int nl = src.lastIndexOf('\n', Math.max(0, Math.min(pos, src.length()) - 1));
        return pos - nl;
    }

    /** Parse errors carry only the line, as Go's do. */
    static TemplateException error(String src, int pos, String msg) {
        int line = line(src, pos);
        return new TemplateException("template: :" + line + ": " + msg, line, column(src, pos));
    }
}
