package io.quokka.runner.llamacpp;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The C structs of llama.cpp build b4916 ({@code include/llama.h} as bundled in {@code de.kherud:llama} 4.2.0),
 * x86_64/aarch64 LP64. Written down once here; {@code LlamaLayoutsTest} checks them against the library's own
 * {@code *_default_params()} so a library upgrade that moves a field fails a test instead of corrupting memory.
 * Every padding is explicit: FFM rejects a struct whose fields are not naturally aligned, so a missing pad is
 * caught when the class loads.
 */
public final class LlamaLayouts {
    private LlamaLayouts() {}

    /**
     * {@code struct llama_model_params}, 64 bytes. No {@code tensor_buft_overrides} yet at b4916 (added later),
     * so {@code n_gpu_layers} directly follows {@code devices}.
     */
    public static final StructLayout MODEL_PARAMS = structLayout(
            ADDRESS.withName("devices"),                       // ggml_backend_dev_t *, NULL-terminated
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),                    // enum llama_split_mode
            JAVA_INT.withName("main_gpu"),
            paddingLayout(4),
            ADDRESS.withName("tensor_split"),                   // const float *
            ADDRESS.withName("progress_callback"),              // bool (*)(float, void *)
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),                   // const struct llama_model_kv_override *
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("use_mmap"),
            JAVA_BOOLEAN.withName("use_mlock"),
            JAVA_BOOLEAN.withName("check_tensors"),
            paddingLayout(4))
            .withName("llama_model_params");

    /**
     * {@code struct llama_context_params}, 120 bytes. At b4916 flash attention is still a bool (the later
     * {@code flash_attn_type} enum does not exist) and there is no {@code swa_full}/{@code kv_unified}.
     */
    public static final StructLayout CONTEXT_PARAMS = structLayout(
            JAVA_INT.withName("n_ctx"),                         // uint32_t
            JAVA_INT.withName("n_batch"),                       // uint32_t, logical batch (max tokens per llama_decode)
            JAVA_INT.withName("n_ubatch"),                      // uint32_t, physical batch
            JAVA_INT.withName("n_seq_max"),                     // uint32_t, sequences (slots)
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("rope_scaling_type"),             // enum, -1 = from model
            JAVA_INT.withName("pooling_type"),                  // enum, -1 = from model
            JAVA_INT.withName("attention_type"),                // enum, -1 = from model
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),                 // uint32_t
            JAVA_FLOAT.withName("defrag_thold"),
            paddingLayout(4),
            ADDRESS.withName("cb_eval"),                        // ggml_backend_sched_eval_callback
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),                        // enum ggml_type of the K cache
            JAVA_INT.withName("type_v"),                        // enum ggml_type of the V cache
            JAVA_BOOLEAN.withName("logits_all"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("flash_attn"),
            JAVA_BOOLEAN.withName("no_perf"),
            paddingLayout(3),
            ADDRESS.withName("abort_callback"),                 // bool (*)(void *), polled during graph compute
            ADDRESS.withName("abort_callback_data"))
            .withName("llama_context_params");

    /** {@code struct llama_batch}, 56 bytes: the count, then six parallel arrays of n_tokens entries. */
    public static final StructLayout BATCH = structLayout(
            JAVA_INT.withName("n_tokens"),
            paddingLayout(4),
            ADDRESS.withName("token"),                          // llama_token *
            ADDRESS.withName("embd"),                           // float *, NULL for token input
            ADDRESS.withName("pos"),                            // llama_pos *
            ADDRESS.withName("n_seq_id"),                       // int32_t *
            ADDRESS.withName("seq_id"),                         // llama_seq_id **
            ADDRESS.withName("logits"))                         // int8_t *, non-zero = output logits for the token
            .withName("llama_batch");

    /** {@code struct llama_sampler_chain_params}: a single bool, passed by value (1 byte). */
    public static final StructLayout SAMPLER_CHAIN_PARAMS =
            structLayout(JAVA_BOOLEAN.withName("no_perf")).withName("llama_sampler_chain_params");

    /** {@code struct llama_chat_message}: two C strings. */
    public static final StructLayout CHAT_MESSAGE =
            structLayout(ADDRESS.withName("role"), ADDRESS.withName("content")).withName("llama_chat_message");

    // Field accessors, each taking (segment, base offset 0L).
    public static final VarHandle MP_N_GPU_LAYERS = field(MODEL_PARAMS, "n_gpu_layers");
    public static final VarHandle MP_SPLIT_MODE = field(MODEL_PARAMS, "split_mode");
    public static final VarHandle MP_VOCAB_ONLY = field(MODEL_PARAMS, "vocab_only");
    public static final VarHandle MP_USE_MMAP = field(MODEL_PARAMS, "use_mmap");
    public static final VarHandle MP_USE_MLOCK = field(MODEL_PARAMS, "use_mlock");
    public static final VarHandle MP_CHECK_TENSORS = field(MODEL_PARAMS, "check_tensors");

    public static final VarHandle CP_N_CTX = field(CONTEXT_PARAMS, "n_ctx");
    public static final VarHandle CP_N_BATCH = field(CONTEXT_PARAMS, "n_batch");
    public static final VarHandle CP_N_UBATCH = field(CONTEXT_PARAMS, "n_ubatch");
    public static final VarHandle CP_N_SEQ_MAX = field(CONTEXT_PARAMS, "n_seq_max");
    public static final VarHandle CP_N_THREADS = field(CONTEXT_PARAMS, "n_threads");
    public static final VarHandle CP_N_THREADS_BATCH = field(CONTEXT_PARAMS, "n_threads_batch");
    public static final VarHandle CP_ROPE_SCALING_TYPE = field(CONTEXT_PARAMS, "rope_scaling_type");
    public static final VarHandle CP_POOLING_TYPE = field(CONTEXT_PARAMS, "pooling_type");
    public static final VarHandle CP_YARN_EXT_FACTOR = field(CONTEXT_PARAMS, "yarn_ext_factor");
    public static final VarHandle CP_YARN_ATTN_FACTOR = field(CONTEXT_PARAMS, "yarn_attn_factor");
    public static final VarHandle CP_YARN_BETA_FAST = field(CONTEXT_PARAMS, "yarn_beta_fast");
    public static final VarHandle CP_YARN_BETA_SLOW = field(CONTEXT_PARAMS, "yarn_beta_slow");
    public static final VarHandle CP_DEFRAG_THOLD = field(CONTEXT_PARAMS, "defrag_thold");
    public static final VarHandle CP_TYPE_K = field(CONTEXT_PARAMS, "type_k");
    public static final VarHandle CP_TYPE_V = field(CONTEXT_PARAMS, "type_v");
    public static final VarHandle CP_LOGITS_ALL = field(CONTEXT_PARAMS, "logits_all");
    public static final VarHandle CP_EMBEDDINGS = field(CONTEXT_PARAMS, "embeddings");
    public static final VarHandle CP_OFFLOAD_KQV = field(CONTEXT_PARAMS, "offload_kqv");
    public static final VarHandle CP_FLASH_ATTN = field(CONTEXT_PARAMS, "flash_attn");
    public static final VarHandle CP_NO_PERF = field(CONTEXT_PARAMS, "no_perf");
    public static final VarHandle CP_ABORT_CALLBACK = field(CONTEXT_PARAMS, "abort_callback");
    public static final VarHandle CP_ABORT_CALLBACK_DATA = field(CONTEXT_PARAMS, "abort_callback_data");

    public static final VarHandle BATCH_N_TOKENS = field(BATCH, "n_tokens");
    public static final VarHandle BATCH_TOKEN = field(BATCH, "token");
    public static final VarHandle BATCH_EMBD = field(BATCH, "embd");
    public static final VarHandle BATCH_POS = field(BATCH, "pos");
    public static final VarHandle BATCH_N_SEQ_ID = field(BATCH, "n_seq_id");
    public static final VarHandle BATCH_SEQ_ID = field(BATCH, "seq_id");
    public static final VarHandle BATCH_LOGITS = field(BATCH, "logits");

    public static final VarHandle CHAIN_NO_PERF = field(SAMPLER_CHAIN_PARAMS, "no_perf");
    public static final VarHandle MSG_ROLE = field(CHAT_MESSAGE, "role");
    public static final VarHandle MSG_CONTENT = field(CHAT_MESSAGE, "content");

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }
}
