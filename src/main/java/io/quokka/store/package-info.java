/**
 * The Ollama model store on disk ({@code $OLLAMA_MODELS}), read and written exactly as Ollama lays it out.
 *
 * <ul>
 *   <li>{@link io.quokka.store.ModelName} — the one parser of model names; {@link io.quokka.store.Digest} — blob
 *       names.</li>
 *   <li>{@link io.quokka.store.Manifest}, {@link io.quokka.store.Layer}, {@link io.quokka.store.ModelConfig},
 *       {@link io.quokka.store.ModelMessage} — the JSON files, as records.</li>
 *   <li>{@link io.quokka.store.OllamaStore} — read-only: list and find models (ignoring case), giving
 *       {@link io.quokka.store.StoredModel}s whose blobs are read lazily.</li>
 *   <li>{@link io.quokka.store.StoreWriter} — blobs and manifests via temp file and atomic rename; create and
 *       delete as {@code ollama create} and {@code ollama rm}.</li>
 * </ul>
 *
 * Failures: {@link io.quokka.store.InvalidModelNameException} (a 400, "invalid model name"),
 * {@link io.quokka.store.StoreException} (the store is inconsistent or I/O failed: a 500). GGUF contents are not
 * read here ({@code io.quokka.gguf} does that).
 */
package io.quokka.store;
