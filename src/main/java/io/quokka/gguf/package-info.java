/**
 * GGUF, llama.cpp's model file format: a validating header reader, a streaming writer, and generated toy models.
 *
 * <ul>
 *   <li>{@link io.quokka.gguf.GgufReader#read} → {@link io.quokka.gguf.GgufFile}: metadata and tensor table,
 *       never the weights; anything llama.cpp b4916 would reject, abort on, or misread becomes a
 *       {@link io.quokka.gguf.GgufException} with a specific message.</li>
 *   <li>{@link io.quokka.gguf.GgufWriter}: GGUF v3, typed metadata, tensors streamed from callbacks.</li>
 *   <li>{@link io.quokka.gguf.ToyModel} / {@link io.quokka.gguf.ToyModelSpec}: seeded llama (or qwen2, qwen3) models
 *       that llama.cpp loads and runs (F32, F16, Q8_0, Q4_0, a separate embedding type), with a SentencePiece or
 *       GPT-2 byte-level BPE vocabulary and separate or tied output embeddings, for tests and demos.</li>
 * </ul>
 *
 * Shared format knowledge lives in {@link io.quokka.gguf.TensorType} (ggml ids, block and type sizes),
 * {@link io.quokka.gguf.ValueType} (metadata types and their Java mapping), {@link io.quokka.gguf.FileType}
 * (general.file_type with Ollama's labels) and the package-private {@code Gguf}, {@code HeaderEncoder},
 * {@code HeaderDecoder} and {@code Quants}.
 */
package io.quokka.gguf;
