/**
 * Ollama-compatible prompt templates.
 *
 * <p>{@link io.quokka.template.PromptTemplate} is the entry point for the HTTP layer: parse a model's
 * template once, then {@code renderChat}/{@code renderGenerate} exactly as Ollama's
 * {@code template.Execute} would, and read capabilities ({@code supportsTools}, {@code supportsInsert},
 * {@code supportsThinking}). Inputs are {@link io.quokka.template.Msg}, {@link io.quokka.template.Tool}
 * and {@link io.quokka.template.Think}; the API layer converts its own wire records into these.
 *
 * <p>The Go {@code text/template} engine underneath is {@link io.quokka.gotemplate.GoTemplate}; this
 * package adds Ollama's template values ({@code OllamaValues}), its extra functions and its tree walks
 * ({@code TemplateTrees}).
 */
package io.quokka.template;
