package io.quokka.store;

/**
 * The model store on disk is not as a manifest says: a blob is missing, a manifest or JSON blob does not parse, or
 * the file system failed. Callers map every kind to a 500 (Ollama does the same), a missing model being an empty
 * {@code Optional} rather than this exception.
 */
public final class StoreException extends RuntimeException {

    public enum Kind {
        /** A blob named by a manifest does not exist. */
        MISSING_BLOB,
        /** A manifest or a JSON blob (config, params, messages) does not parse, or a required layer is absent. */
        MALFORMED,
        /** Reading or writing failed. */
        IO
    }

    private final Kind kind;

    StoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * An I/O failure as Go's {@code os} package words it ({@code /data/models/blobs/x: read-only file system},
     * {@code ...: permission denied}): the path and the system's reason, for an error answer, never a class name.
     */
    public static String describe(java.io.IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs) {
            String reason = fs.getReason();
            if (reason == null || reason.isBlank()) {
                reason = switch (fs) {
                    case java.nio.file.AccessDeniedException denied -> "permission denied";
                    case java.nio.file.NoSuchFileException missing -> "no such file or directory";
                    case java.nio.file.FileAlreadyExistsException exists -> "file exists";
                    case java.nio.file.DirectoryNotEmptyException notEmpty -> "directory not empty";
                    default -> "input/output error";
                };
            } else {
                reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1); // strerror, as Go has it
            }
            return fs.getFile() == null ? reason : fs.getFile() + ": " + reason;
        }
        if (e.getCause() instanceof java.io.IOException cause && e.getCause().toString().equals(e.getMessage())) {
            return describe(cause); // new IOException(cause): the cause is the story
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? "input/output error" : e.getMessage();
    }

    /**
     * Where a JSON file of the store stopped parsing, without quoting its content: a manifest or blob may be a link
     * to a file outside the store, and an error answer must not echo what that file holds.
     */
    static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
        var at = e.getLocation();
        return at == null ? e.getClass().getSimpleName()
                : "syntax error at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
