package io.quokka.toy;

import io.quokka.gguf.FileType;
import io.quokka.gguf.Quants;
import io.quokka.gguf.TensorType;
import java.util.Objects;

/**
 * Shape and contents of a generated llama-architecture model (see {@link ToyModel}), or of a qwen2, qwen3 or qwen3moe
 * one.
 *
 * @param name general.name
 * @param vocabSize total tokens: 3 specials, 256 byte tokens, the ChatML tokens when the template is ChatML, and
 *     generated word pieces for the rest
 * @param embeddingLength n_embd; a multiple of headCount, and of 32 for quantized weights
 * @param blockCount layers
 * @param headCount attention heads; embeddingLength / headCount (the head dim) must be even
 * @param headCountKv key/value heads (grouped-query attention when smaller than headCount); divides headCount
 * @param feedForwardLength n_ff; a multiple of 32 for quantized weights. For qwen3moe the width of each expert
 *     ({@code expert_feed_forward_length})
 * @param contextLength training context written to the file (llama.context_length)
 * @param weightType type of the matrices: F32, F16, Q8_0 or Q4_0 (norms are always F32)
 * @param seed seeds every weight; the same spec always gives the same file
 * @param chatTemplate tokenizer.chat_template, or null for none; a ChatML template (containing
 *     {@code <|im_start|>}) also adds the {@code <|im_start|>}/{@code <|im_end|>} control tokens and makes
 *     {@code <|im_end|>} the end-of-sequence token
 * @param variant architecture, tokenizer and tensor layout; {@link Variant#DEFAULT} (llama, SentencePiece, separate
 *     output matrix) unless a {@code with…} method changes it
 */
public record ToyModelSpec(String name, int vocabSize, int embeddingLength, int blockCount, int headCount,
                           int headCountKv, int feedForwardLength, int contextLength, TensorType weightType,
                           long seed, String chatTemplate, Variant variant) {

    /**
     * What makes a toy model unlike the default one, as real models differ.
     *
     * @param architecture {@code llama}, {@code qwen2} (q/k/v bias tensors, NeoX rope), {@code qwen3} (no biases;
     *     per-head RMS norms {@code attn_q_norm}/{@code attn_k_norm} of size head_dim; llama.cpp b4916 cannot load it)
     *     or {@code qwen3moe} (qwen3's attention; a mixture of experts in place of each layer's feed-forward: the
     *     router {@code ffn_gate_inp} and the stacked experts {@code ffn_gate_exps}/{@code ffn_up_exps}/
     *     {@code ffn_down_exps}; b4916 cannot load it either)
     * @param tokenizer {@code llama} (SentencePiece) or {@code gpt2} (byte-level BPE with merges)
     * @param preTokenizer {@code tokenizer.ggml.pre} for a gpt2 vocabulary, e.g. "qwen2", "llama-bpe", "default"
     * @param tiedEmbeddings no {@code output.weight}: the output layer reuses {@code token_embd.weight}
     * @param embeddingType type of {@code token_embd.weight} (and {@code output.weight}); null for weightType
     * @param favourSplitCharacter makes a gpt2 vocabulary model always pick one token whose bytes split two
     *     4-byte UTF-8 characters (the end of one, then the start of the next), to test streaming detokenization
     * @param expertCount experts per layer ({@code expert_count}); 0 for the dense architectures, at least 1 for
     *     qwen3moe
     * @param expertUsedCount experts each token is routed to ({@code expert_used_count}); 0 for the dense
     *     architectures, 1 to expertCount for qwen3moe
     */
    public record Variant(String architecture, String tokenizer, String preTokenizer, boolean tiedEmbeddings,
                          TensorType embeddingType, boolean favourSplitCharacter, int expertCount,
                          int expertUsedCount) {
        public static final Variant DEFAULT = new Variant("llama", "llama", null, false, null, false);

        /** Experts of a qwen3moe toy unless {@link ToyModelSpec#withExperts} says otherwise. */
        public static final int DEFAULT_EXPERTS = 4;
        /** Experts used per token of a qwen3moe toy unless {@link ToyModelSpec#withExperts} says otherwise. */
        public static final int DEFAULT_EXPERTS_USED = 2;

        /** A dense variant (no experts): the signature before qwen3moe. */
        public Variant(String architecture, String tokenizer, String preTokenizer, boolean tiedEmbeddings,
                       TensorType embeddingType, boolean favourSplitCharacter) {
            this(architecture, tokenizer, preTokenizer, tiedEmbeddings, embeddingType, favourSplitCharacter, 0, 0);
        }

        public Variant {
            if (!architecture.equals("llama") && !architecture.equals("qwen2") && !architecture.equals("qwen3")
                    && !architecture.equals("qwen3moe")) {
                throw new IllegalArgumentException("architecture must be llama, qwen2, qwen3 or qwen3moe, got "
                        + architecture);
            }
            if (architecture.equals("qwen3moe")) {
                if (expertCount < 1 || expertUsedCount < 1 || expertUsedCount > expertCount) {
                    throw new IllegalArgumentException("qwen3moe needs 1 <= expertUsedCount (%d) <= expertCount (%d)"
                            .formatted(expertUsedCount, expertCount));
                }
            } else if (expertCount != 0 || expertUsedCount != 0) {
                throw new IllegalArgumentException(architecture + " has no experts");
            }
            if (!tokenizer.equals("llama") && !tokenizer.equals("gpt2")) {
                throw new IllegalArgumentException("tokenizer must be llama or gpt2, got " + tokenizer);
            }
            if (favourSplitCharacter && !tokenizer.equals("gpt2")) {
                throw new IllegalArgumentException("favourSplitCharacter needs the gpt2 tokenizer");
            }
        }
    }

    /** The spec with the default variant (the signature before variants existed). */
    public ToyModelSpec(String name, int vocabSize, int embeddingLength, int blockCount, int headCount,
                        int headCountKv, int feedForwardLength, int contextLength, TensorType weightType,
                        long seed, String chatTemplate) {
        this(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv, feedForwardLength, contextLength,
                weightType, seed, chatTemplate, Variant.DEFAULT);
    }

    /** The usual ChatML template (Qwen and others), which llama.cpp recognises as "chatml". */
    public static final String CHATML = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Tokens every toy vocabulary starts with: unk, bos, eos and 256 byte tokens. */
    static final int BASE_TOKENS = 3 + 256;

    public ToyModelSpec {
        Objects.requireNonNull(weightType, "weightType");
        variant = Objects.requireNonNullElse(variant, Variant.DEFAULT);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank");
        }
        if (embeddingLength < 2 || blockCount < 1 || headCount < 1 || headCountKv < 1 || feedForwardLength < 1
                || contextLength < 1) {
            throw new IllegalArgumentException("sizes must be positive (embeddingLength at least 2): " + shape(
                    embeddingLength, blockCount, headCount, headCountKv, feedForwardLength, contextLength));
        }
        if (embeddingLength % headCount != 0 || (embeddingLength / headCount) % 2 != 0) {
            throw new IllegalArgumentException("embeddingLength %d must be headCount %d times an even head dim"
                    .formatted(embeddingLength, headCount));
        }
        if (headCount % headCountKv != 0) {
            throw new IllegalArgumentException("headCountKv %d must divide headCount %d".formatted(headCountKv, headCount));
        }
        if (!Quants.canEncode(weightType)) {
            throw new IllegalArgumentException("weightType must be F32, F16, Q8_0 or Q4_0, got " + weightType);
        }
        int block = weightType.blockSize();
        if (embeddingLength % block != 0 || feedForwardLength % block != 0) {
            throw new IllegalArgumentException("%s needs embeddingLength (%d) and feedForwardLength (%d) divisible by %d"
                    .formatted(weightType, embeddingLength, feedForwardLength, block));
        }
        TensorType et = variant.embeddingType();
        if (et != null && (!Quants.canEncode(et) || embeddingLength % et.blockSize() != 0)) {
            throw new IllegalArgumentException("embeddingType %s cannot encode rows of %d".formatted(et, embeddingLength));
        }
        int min = variant.tokenizer().equals("gpt2")
                ? 256 + ToyVocab.controlTokens(chatTemplate).size() + 1
                : BASE_TOKENS + (isChatMl(chatTemplate) ? 2 : 0) + 1;
        if (vocabSize < min) {
            throw new IllegalArgumentException("vocabSize %d is below the minimum %d".formatted(vocabSize, min));
        }
    }

    /**
     * A model that loads in milliseconds: 512 tokens, n_embd 128, 2 layers, 4 heads of dim 32 over 2 KV heads
     * (GQA), n_ff 256, context 2048, Q8_0, ChatML. The head dim is 32 rather than 16 because llama.cpp aborts on a
     * quantized K cache when the head dim is not a multiple of 32.
     */
    public static ToyModelSpec tiny() {
        return new ToyModelSpec("quokka-toy-tiny", 512, 128, 2, 4, 2, 256, 2048, TensorType.Q8_0, 42, CHATML);
    }

    /** About 100 MB at Q8_0 (~99.6M parameters): 32000 tokens, n_embd 768, 8 layers, 12 heads, 4 KV heads. */
    public static ToyModelSpec about100MB() {
        return new ToyModelSpec("quokka-toy-100m", 32000, 768, 8, 12, 4, 2048, 4096, TensorType.Q8_0, 42, CHATML);
    }

    public ToyModelSpec withName(String name) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withVocabSize(int vocabSize) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withShape(int embeddingLength, int blockCount, int headCount, int headCountKv,
                                  int feedForwardLength) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withContextLength(int contextLength) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withWeightType(TensorType weightType) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withSeed(long seed) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    public ToyModelSpec withChatTemplate(String chatTemplate) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    /**
     * This spec with another architecture: {@code llama}, {@code qwen2}, {@code qwen3} or {@code qwen3moe}. A
     * qwen3moe spec keeps its experts, or gets {@value Variant#DEFAULT_EXPERTS} experts with
     * {@value Variant#DEFAULT_EXPERTS_USED} used per token; the other architectures have none.
     */
    public ToyModelSpec withArchitecture(String architecture) {
        boolean moe = architecture.equals("qwen3moe");
        int experts = !moe ? 0 : variant.expertCount() > 0 ? variant.expertCount() : Variant.DEFAULT_EXPERTS;
        int used = !moe ? 0 : variant.expertUsedCount() > 0 ? variant.expertUsedCount() : Variant.DEFAULT_EXPERTS_USED;
        return withVariant(new Variant(architecture, variant.tokenizer(), variant.preTokenizer(),
                variant.tiedEmbeddings(), variant.embeddingType(), variant.favourSplitCharacter(), experts, used));
    }

    /**
     * This qwen3moe spec with {@code count} experts per layer, {@code used} of them per token (each
     * {@link #feedForwardLength()} wide).
     */
    public ToyModelSpec withExperts(int count, int used) {
        return withVariant(new Variant(variant.architecture(), variant.tokenizer(), variant.preTokenizer(),
                variant.tiedEmbeddings(), variant.embeddingType(), variant.favourSplitCharacter(), count, used));
    }

    /** Whether the layers have a mixture of experts rather than one feed-forward network. */
    public boolean isMoe() {
        return variant.expertCount() > 0;
    }

    /** This spec with a GPT-2 style byte-level BPE vocabulary and the given {@code tokenizer.ggml.pre}. */
    public ToyModelSpec withBpeVocab(String preTokenizer) {
        return withVariant(new Variant(variant.architecture(), "gpt2", preTokenizer, variant.tiedEmbeddings(),
                variant.embeddingType(), variant.favourSplitCharacter(), variant.expertCount(),
                variant.expertUsedCount()));
    }

    /** This spec without {@code output.weight} (tied embeddings) when {@code tied}. */
    public ToyModelSpec withTiedEmbeddings(boolean tied) {
        return withVariant(new Variant(variant.architecture(), variant.tokenizer(), variant.preTokenizer(), tied,
                variant.embeddingType(), variant.favourSplitCharacter(), variant.expertCount(),
                variant.expertUsedCount()));
    }

    /** This spec with {@code token_embd.weight} (and output.weight) stored as {@code type}, as quantized files do. */
    public ToyModelSpec withEmbeddingType(TensorType type) {
        return withVariant(new Variant(variant.architecture(), variant.tokenizer(), variant.preTokenizer(),
                variant.tiedEmbeddings(), type, variant.favourSplitCharacter(), variant.expertCount(),
                variant.expertUsedCount()));
    }

    /** See {@link Variant#favourSplitCharacter()}. */
    public ToyModelSpec withFavouredSplitCharacter(boolean favour) {
        return withVariant(new Variant(variant.architecture(), variant.tokenizer(), variant.preTokenizer(),
                variant.tiedEmbeddings(), variant.embeddingType(), favour, variant.expertCount(),
                variant.expertUsedCount()));
    }

    public ToyModelSpec withVariant(Variant variant) {
        return new ToyModelSpec(name, vocabSize, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, contextLength, weightType, seed, chatTemplate, variant);
    }

    /** The type of the token embedding matrix. */
    public TensorType embeddingType() {
        return variant.embeddingType() != null ? variant.embeddingType() : weightType;
    }

    /** Whether the template is ChatML, which brings the {@code <|im_start|>}/{@code <|im_end|>} tokens. */
    public boolean isChatMl() {
        return isChatMl(chatTemplate);
    }

    public int headDim() {
        return embeddingLength / headCount;
    }

    /** llama.cpp's general.file_type for this weight type. */
    FileType fileType() {
        return switch (weightType) {
            case F32 -> FileType.ALL_F32;
            case F16 -> FileType.MOSTLY_F16;
            case Q4_0 -> FileType.MOSTLY_Q4_0;
            case Q8_0 -> FileType.MOSTLY_Q8_0;
            default -> throw new IllegalStateException();
        };
    }

    private static boolean isChatMl(String template) {
        return template != null && template.contains("<|im_start|>");
    }

    private static String shape(int... v) {
        return java.util.Arrays.toString(v);
    }
}
