/**
 * Model management, as Ollama's create, copy, delete and blob handlers do it: {@link io.quokka.models.ModelManager}
 * validates a request completely (names, uploaded GGUF blobs, template, parameters) before it writes anything, then
 * lays the model out in the store through {@link io.quokka.store.StoreWriter} (atomic blobs, manifest last). No HTTP
 * types here; failures are {@code InvalidRequestException} (400), {@code ModelNotFoundException} and
 * {@link io.quokka.models.NotFoundException} (404).
 */
package io.quokka.models;
