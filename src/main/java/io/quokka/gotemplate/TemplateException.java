package io.quokka.gotemplate;

/**
 * A Go template failed to parse or execute. Messages follow Go's wording
 * ({@code template: NAME:LINE: message}) so they can be surfaced to clients the way Ollama does.
 */
public final class TemplateException extends RuntimeException {
    private final int line;
    private final int column;

    public TemplateException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the offending token, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column (in characters) of the offending token, or 0 when unknown. */
    public int column() {
        return column;
    }
}
