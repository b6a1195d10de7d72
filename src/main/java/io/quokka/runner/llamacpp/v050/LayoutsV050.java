package io.quokka.runner.llamacpp.v050;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.quokka.runner.llamacpp.LlamaLayouts;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The C structs of llama.cpp release v0.5.0 ({@code include/llama.h} of that release), LP64 (x86_64, aarch64).
 * Field and struct names are the C ones: {@code LayoutsV050Test} compiles a C program against the release's headers
 * and compares {@code sizeof}/{@code offsetof} of every named field here with these layouts. Every padding is
 * explicit (FFM rejects a misaligned field when the class loads).
 *
 * <p>What changed since b4916 ({@link io.quokka.runner.llamacpp.LlamaLayouts}): {@code llama_model_params} gained
 * {@code tensor_buft_overrides}, {@code load_mode} (replacing the {@code use_mmap}/{@code use_mlock} bools) and
 * {@code lazy_mode}, and its bools are now vocab_only, check_tensors, use_extra_bufts, no_host, no_alloc, load_mtp
 * (80 bytes, was 64). {@code llama_context_params} gained n_rs_seq, n_outputs_max, n_outputs_max_per_seq, ctx_type,
 * the {@code flash_attn_type} enum (was a bool), the abort callback moved before the bools, {@code logits_all} is
 * gone, and op_offload, swa_full, kv_unified, samplers, n_samplers, ctx_other were added (160 bytes, was 120).
 * {@code llama_batch}, {@code llama_sampler_chain_params} and {@code llama_chat_message} are unchanged.
 */
public final class LayoutsV050 {
    private LayoutsV050() {}

    /** {@code enum llama_load_mode}: -1 auto, 0 none, 1 mmap, 2 mlock, 3 mmap+mlock, 4 direct I/O. */
    public static final int LOAD_MODE_NONE = 0;
    public static final int LOAD_MODE_MMAP = 1;
    /** {@code enum llama_flash_attn_type}: -1 auto, 0 disabled, 1 enabled. */
    public static final int FLASH_ATTN_AUTO = -1;
    public static final int FLASH_ATTN_DISABLED = 0;
    public static final int FLASH_ATTN_ENABLED = 1;

    /** {@code struct llama_model_params}, 80 bytes. */
    public static final StructLayout MODEL_PARAMS = structLayout(
            ADDRESS.withName("devices"),                        // ggml_backend_dev_t *, NULL-terminated
            ADDRESS.withName("tensor_buft_overrides"),          // const struct llama_model_tensor_buft_override *
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),                    // enum llama_split_mode
            JAVA_INT.withName("load_mode"),                     // enum llama_load_mode
            JAVA_INT.withName("lazy_mode"),                     // enum llama_lazy_mode
            JAVA_INT.withName("main_gpu"),
            paddingLayout(4),
            ADDRESS.withName("tensor_split"),                   // const float *
            ADDRESS.withName("progress_callback"),              // bool (*)(float, void *)
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),                   // const struct llama_model_kv_override *
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"),
            paddingLayout(2))
            .withName("llama_model_params");

    /** {@code struct llama_context_params}, 160 bytes. */
    public static final StructLayout CONTEXT_PARAMS = structLayout(
            JAVA_INT.withName("n_ctx"),                         // uint32_t, 0 = from model
            JAVA_INT.withName("n_batch"),                       // uint32_t
            JAVA_INT.withName("n_ubatch"),                      // uint32_t
            JAVA_INT.withName("n_seq_max"),                     // uint32_t
            JAVA_INT.withName("n_rs_seq"),                      // uint32_t, recurrent-state snapshots per seq
            JAVA_INT.withName("n_outputs_max"),                 // uint32_t, 0 = n_batch
            JAVA_INT.withName("n_outputs_max_per_seq"),         // uint32_t, 0 = n_outputs_max
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),                      // enum llama_context_type
            JAVA_INT.withName("rope_scaling_type"),             // enum, -1 = from model
            JAVA_INT.withName("pooling_type"),                  // enum, -1 = from model
            JAVA_INT.withName("attention_type"),                // enum, -1 = from model
            JAVA_INT.withName("flash_attn_type"),               // enum llama_flash_attn_type, -1 = auto
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),                 // uint32_t
            JAVA_FLOAT.withName("defrag_thold"),                // deprecated
            ADDRESS.withName("cb_eval"),                        // ggml_backend_sched_eval_callback
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),                        // enum ggml_type of the K cache
            JAVA_INT.withName("type_v"),                        // enum ggml_type of the V cache
            ADDRESS.withName("abort_callback"),                 // bool (*)(void *)
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            paddingLayout(2),
            ADDRESS.withName("samplers"),                       // struct llama_sampler_seq_config *
            JAVA_LONG.withName("n_samplers"),                   // size_t
            ADDRESS.withName("ctx_other"))                      // struct llama_context *
            .withName("llama_context_params");

    /** {@code struct llama_batch}, {@code llama_sampler_chain_params}, {@code llama_chat_message}: as at b4916. */
    public static final StructLayout BATCH = LlamaLayouts.BATCH;
    public static final StructLayout SAMPLER_CHAIN_PARAMS = LlamaLayouts.SAMPLER_CHAIN_PARAMS;
    public static final StructLayout CHAT_MESSAGE = LlamaLayouts.CHAT_MESSAGE;

    /** {@code GGML_MAX_N_THREADS}: the length of {@code ggml_threadpool_params.cpumask}. */
    public static final int GGML_MAX_N_THREADS = 512;

    /**
     * {@code struct ggml_threadpool_params} ({@code ggml/include/ggml.h}), 528 bytes: the CPU backend's own thread
     * pool (this release is built without OpenMP). {@code poll}: 0 = threads sleep on a condition variable between
     * graph computations and at barriers, 100 = they spin; the default is 50.
     */
    public static final StructLayout THREADPOOL_PARAMS = structLayout(
            sequenceLayout(GGML_MAX_N_THREADS, JAVA_BOOLEAN).withName("cpumask"), // all false = default affinity
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("prio"),                          // enum ggml_sched_priority
            JAVA_INT.withName("poll"),                          // uint32_t, 0..100
            JAVA_BOOLEAN.withName("strict_cpu"),
            JAVA_BOOLEAN.withName("paused"),
            paddingLayout(2))
            .withName("ggml_threadpool_params");

    /** Every struct of this release the binding uses (what the layout test checks). */
    public static final List<StructLayout> ALL =
            List.of(MODEL_PARAMS, CONTEXT_PARAMS, BATCH, SAMPLER_CHAIN_PARAMS, CHAT_MESSAGE, THREADPOOL_PARAMS);

    public static final VarHandle TP_POLL = field(THREADPOOL_PARAMS, "poll");

    public static final VarHandle MP_N_GPU_LAYERS = field(MODEL_PARAMS, "n_gpu_layers");
    public static final VarHandle MP_LOAD_MODE = field(MODEL_PARAMS, "load_mode");
    public static final VarHandle MP_VOCAB_ONLY = field(MODEL_PARAMS, "vocab_only");
    public static final VarHandle MP_CHECK_TENSORS = field(MODEL_PARAMS, "check_tensors");

    public static final VarHandle CP_N_CTX = field(CONTEXT_PARAMS, "n_ctx");
    public static final VarHandle CP_N_BATCH = field(CONTEXT_PARAMS, "n_batch");
    public static final VarHandle CP_N_UBATCH = field(CONTEXT_PARAMS, "n_ubatch");
    public static final VarHandle CP_N_SEQ_MAX = field(CONTEXT_PARAMS, "n_seq_max");
    public static final VarHandle CP_N_THREADS = field(CONTEXT_PARAMS, "n_threads");
    public static final VarHandle CP_N_THREADS_BATCH = field(CONTEXT_PARAMS, "n_threads_batch");
    public static final VarHandle CP_FLASH_ATTN_TYPE = field(CONTEXT_PARAMS, "flash_attn_type");
    public static final VarHandle CP_POOLING_TYPE = field(CONTEXT_PARAMS, "pooling_type");
    public static final VarHandle CP_KV_UNIFIED = field(CONTEXT_PARAMS, "kv_unified");
    public static final VarHandle CP_TYPE_K = field(CONTEXT_PARAMS, "type_k");
    public static final VarHandle CP_TYPE_V = field(CONTEXT_PARAMS, "type_v");
    public static final VarHandle CP_EMBEDDINGS = field(CONTEXT_PARAMS, "embeddings");
    public static final VarHandle CP_NO_PERF = field(CONTEXT_PARAMS, "no_perf");
    public static final VarHandle CP_ABORT_CALLBACK = field(CONTEXT_PARAMS, "abort_callback");
    public static final VarHandle CP_ABORT_CALLBACK_DATA = field(CONTEXT_PARAMS, "abort_callback_data");

    public static final VarHandle BATCH_N_TOKENS = field(BATCH, "n_tokens");
    public static final VarHandle MSG_ROLE = field(CHAT_MESSAGE, "role");
    public static final VarHandle MSG_CONTENT = field(CHAT_MESSAGE, "content");

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }
}
