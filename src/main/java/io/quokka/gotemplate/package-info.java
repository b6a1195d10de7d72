/**
 * Go's {@code text/template} engine, knowing nothing of Ollama.
 *
 * <p>{@link io.quokka.gotemplate.GoTemplate} parses and executes a template: a lexer ({@code Lexer}), a
 * parser producing sealed {@link io.quokka.gotemplate.Node} records, and a tree-walking executor
 * ({@link io.quokka.gotemplate.Exec}) with Go's fmt ({@link io.quokka.gotemplate.GoFmt}) and encoding/json
 * ({@link io.quokka.gotemplate.GoJson}) output rules and Go's built-in functions ({@code Builtins}).
 * Java values expose Go field names through {@link io.quokka.gotemplate.GoStruct} (no reflection).
 * Ollama's prompt layer ({@code io.quokka.template}) builds on this package; this package never refers back.
 */
package io.quokka.gotemplate;
