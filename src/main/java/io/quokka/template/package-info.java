/**
 * Ollama-compatible prompt templates.
 *
 * <p>{@link io.quokka.template.PromptTemplate} is the entry point for the HTTP layer: parse a model's
 * template once, then {@code renderChat}/{@code renderGenerate} exactly as Ollama's
 * {@code template.Execute} would, and read capabilities ({@code supportsTools}, {@code supportsInsert},
 * {@code supportsThinking}). Inputs are {@link io.quokka.template.Msg}, {@link io.quokka.template.Tool}
 * and {@link io.quokka.template.Think}; the API layer converts its own wire records into these.
 *
 * <p>{@link io.quokka.template.GoTemplate} is the underlying Go {@code text/template} engine: a lexer
 * ({@code Lexer}), a parser producing sealed {@code Node} records, and a tree-walking executor
 * ({@code Exec}) with Go's fmt ({@code GoFmt}) and encoding/json ({@code GoJson}) output rules.
 * Java values expose Go field names through {@link io.quokka.template.GoStruct} (no reflection).
 */
package io.quokka.template;
