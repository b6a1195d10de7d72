package io.quokka.gotemplate;

import java.util.List;

/**
 * A template function. {@code minArgs}/{@code maxArgs} mirror the Go signature (max -1 = variadic)
 * so arity errors read like Go's. {@code stringArgs} marks functions whose parameters are Go
 * strings, so non-string arguments fail type validation as they do in Go.
 */
public record Func(String name, int minArgs, int maxArgs, boolean stringArgs, Impl impl) {
    @FunctionalInterface
    public interface Impl {
        /** Returns the result, or throws {@link CallError} with Go's message. */
        Object call(List<Object> args);
    }

    /** An error returned by the function (Go's second result), reported as "error calling NAME: msg". */
    static final class CallError extends RuntimeException {
        CallError(String msg) {
            super(msg, null, false, false);
        }
    }
}
