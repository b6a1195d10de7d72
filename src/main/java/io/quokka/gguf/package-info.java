/**
 * GGUF, llama.cpp's model file format: a validating header reader and a streaming writer. Generated toy models,
 * written with it, are in {@code io.quokka.toy}.
 *
 * <ul>
 *   <li>{@link io.quokka.gguf.GgufReader#read} → {@link io.quokka.gguf.GgufFile}: metadata and tensor table,
 *       never the weights; anything llama.cpp b4916 would reject, abort on, or misread becomes a
 *       {@link io.quokka.gguf.GgufException} with a specific message.</li>
 *   <li>{@link io.quokka.gguf.GgufWriter}: GGUF v3, typed metadata, tensors streamed from callbacks.</li>
 * </ul>
 *
 * Shared format knowledge lives in {@link io.quokka.gguf.TensorType} (ggml ids, block and type sizes),
 * {@link io.quokka.gguf.ValueType} (metadata types and their Java mapping), {@link io.quokka.gguf.FileType}
 * (general.file_type with Ollama's labels), {@link io.quokka.gguf.Quants} (ggml's reference quantizers) and the
 * package-private {@code Gguf}, {@code HeaderEncoder} and {@code HeaderDecoder}.
 */
package io.quokka.gguf;
