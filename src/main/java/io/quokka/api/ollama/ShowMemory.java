package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Quokka's extension to {@code /api/show}: what loading the model with its default options would make resident,
 * and whether it fits now. Sizes in bytes.
 *
 * @param weights               tensor data
 * @param kv_cache              the KV cache at {@code context_length}
 * @param compute               llama.cpp's compute buffers
 * @param runtime               the runner process itself
 * @param total                 the sum: what the runner's RSS will reach
 * @param context_length        the context the estimate is for (the default {@code num_ctx}, all slots)
 * @param num_batch             the batch the estimate is for
 * @param kv_cache_type         the KV cache type the runner will use
 * @param available             what a load may use now (after the reserve; a resident model counts as used)
 * @param available_source      where {@code available} came from: QUOKKA_MEMORY_LIMIT, cgroup v2, cgroup v1, meminfo
 * @param fits_context_length   the context the memory guard would load with now (smaller than asked when it shrinks),
 *                              absent when it would refuse
 * @param error                 the refusal the guard would answer now, absent when it fits
 */
@RegisterForReflection
public record ShowMemory(
        long weights,
        long kv_cache,
        long compute,
        long runtime,
        long total,
        int context_length,
        int num_batch,
        String kv_cache_type,
        long available,
        String available_source,
        @JsonInclude(Include.NON_NULL) Integer fits_context_length,
        @JsonInclude(Include.NON_NULL) String error) {}
