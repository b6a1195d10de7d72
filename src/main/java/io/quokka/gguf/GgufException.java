package io.quokka.gguf;

import java.io.IOException;

/**
 * A file is not a GGUF file that llama.cpp could load safely: bad magic, unsupported version, or a structure that
 * is inconsistent or would make llama.cpp misbehave. It is an {@link IOException} because it describes the content
 * of a file, like an unexpected end of stream would; the message always says what is wrong and where.
 */
public final class GgufException extends IOException {
    private static final long serialVersionUID = 1L;

    public GgufException(String message) {
        super(message);
    }

    static GgufException invalid(String format, Object... args) {
        return new GgufException("invalid GGUF file: " + format.formatted(args));
    }
}
