package io.quokka.grammar;

/**
 * A JSON schema that cannot be turned into a grammar: malformed, unsatisfiable, or using a keyword whose constraint
 * Quokka cannot enforce. The message says what and where (a JSON pointer into the schema); the API answers 400.
 */
public final class InvalidSchemaException extends IllegalArgumentException {
    public InvalidSchemaException(String message) {
        super(message);
    }
}
