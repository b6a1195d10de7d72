package io.quokka.store;

/**
 * A string that is not a valid model name. The message is Ollama's 400 text ({@code invalid model name});
 * {@link #input()} and {@link #reason()} say which string and why, for logs.
 */
public final class InvalidModelNameException extends IllegalArgumentException {

    /** Ollama's {@code errtypes.InvalidModelNameErrMsg}. */
    public static final String MESSAGE = "invalid model name";

    private final String input;
    private final String reason;

    InvalidModelNameException(String input, String reason) {
        super(MESSAGE);
        this.input = input;
        this.reason = reason;
    }

    /** The rejected string, as given (may be null). */
    public String input() {
        return input;
    }

    /** Which part failed and why, e.g. {@code tag "" is empty}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "InvalidModelNameException: " + MESSAGE + " \"" + input + "\": " + reason;
    }
}
