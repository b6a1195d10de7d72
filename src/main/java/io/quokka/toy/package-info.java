/**
 * Generated toy models: small GGUF models with seeded random weights that llama.cpp loads and runs, for tests,
 * demos and CI without a download.
 *
 * <ul>
 *   <li>{@link io.quokka.toy.ToyModel} / {@link io.quokka.toy.ToyModelSpec}: seeded llama (or qwen2, qwen3) models
 *       that llama.cpp loads and runs (F32, F16, Q8_0, Q4_0, a separate embedding type), with a SentencePiece or
 *       GPT-2 byte-level BPE vocabulary and separate or tied output embeddings, written through
 *       {@link io.quokka.gguf.GgufWriter}. {@code withArchitecture("qwen3moe")} makes a mixture of experts (a router
 *       and 3-D stacks of experts per layer; 4 experts, 2 used per token, unless {@code withExperts} says otherwise),
 *       which only the current llama.cpp (v0.5.0) loads. qwen3 and qwen3moe are unknown to b4916.</li>
 *   <li>{@link io.quokka.toy.ToyInstaller}: puts one into an Ollama store as {@code ollama create} would.</li>
 *   <li>The {@code quokka toy} command (with the other commands) uses them.</li>
 * </ul>
 */
package io.quokka.toy;
