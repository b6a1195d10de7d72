package io.quokka.gguf;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;

/**
 * The header of a GGUF file as {@link GgufReader} read it: metadata in file order and the tensor table.
 *
 * <p>Metadata values follow the scheme on {@link ValueType}; arrays are {@link GgufArray}s. The typed
 * conveniences follow llama.cpp's and Ollama's key names ({@code {arch}.context_length} and so on, where
 * {@code arch} is {@code general.architecture}); numeric ones return 0 when the key is absent, as Ollama does.
 *
 * @param version GGUF version (2 or 3)
 * @param alignment data alignment ({@code general.alignment}, default 32)
 * @param metadata key → value, in file order
 * @param metadataTypes key → GGUF type of the value
 * @param tensors the tensor table, in file order
 * @param dataOffset file offset where tensor data starts; tensor offsets are relative to it
 * @param fileSize size of the file in bytes
 */
public record GgufFile(int version, int alignment, SequencedMap<String, Object> metadata,
                       Map<String, ValueType> metadataTypes, List<TensorInfo> tensors, long dataOffset,
                       long fileSize) {

    public GgufFile {
        metadata = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(metadata));
        metadataTypes = Map.copyOf(metadataTypes);
        tensors = List.copyOf(tensors);
        if (!metadata.keySet().equals(metadataTypes.keySet())) {
            throw new IllegalArgumentException("metadata and metadataTypes must have the same keys");
        }
    }

    public Optional<ValueType> metadataType(String key) {
        return Optional.ofNullable(metadataTypes.get(key));
    }

    /** A string value; empty if absent or not a string. */
    public Optional<String> string(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** An integer value of any integer type; empty if absent, not an integer, or a UINT64 beyond Long.MAX_VALUE. */
    public OptionalLong integer(String key) {
        Object v = metadata.get(key);
        return v instanceof Number n && metadataTypes.get(key).isInteger() && !(v instanceof java.math.BigInteger)
                ? OptionalLong.of(n.longValue())
                : OptionalLong.empty();
    }

    public Optional<TensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Absolute file offset of a tensor's data. */
    public long absoluteOffset(TensorInfo tensor) {
        return dataOffset + tensor.offset();
    }

    /** {@code general.architecture}, e.g. "llama". */
    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /** {@code general.name}. */
    public Optional<String> name() {
        return string("general.name");
    }

    /** Sum of the element counts of all tensors. */
    public long parameterCount() {
        long sum = 0;
        for (TensorInfo t : tensors) {
            sum += t.elementCount();
        }
        return sum;
    }

    /** Sum of the byte sizes of all tensors (without alignment padding). */
    public long weightsBytes() {
        long sum = 0;
        for (TensorInfo t : tensors) {
            sum += t.byteSize();
        }
        return sum;
    }

    /** {@code general.file_type}; empty if absent or unknown. */
    public Optional<FileType> fileType() {
        OptionalLong id = integer("general.file_type");
        return id.isPresent() ? FileType.fromId(id.getAsLong()) : Optional.empty();
    }

    /** Ollama's {@code quantization_level}: the file type's label, or "unknown". */
    public String quantizationLevel() {
        return fileType().map(FileType::label).orElse("unknown");
    }

    /** Ollama's {@code parameter_size}, e.g. "8.0B", "494.03M", "137M" (see {@link #humanNumber}). */
    public String parameterSize() {
        return humanNumber(parameterCount());
    }

    public long contextLength() {
        return archMax("context_length");
    }

    public long embeddingLength() {
        return archMax("embedding_length");
    }

    public long blockCount() {
        return archMax("block_count");
    }

    /** {@code {arch}.feed_forward_length}; the largest value when it is given per layer. */
    public long feedForwardLength() {
        return archMax("feed_forward_length");
    }

    /** {@code {arch}.expert_count}: experts per layer of a mixture-of-experts model; 0 for a dense one. */
    public long expertCount() {
        return archMax("expert_count");
    }

    /** {@code {arch}.expert_used_count}: experts each token is routed to; the largest when given per layer. */
    public long expertUsedCount() {
        return archMax("expert_used_count");
    }

    /** {@code {arch}.expert_feed_forward_length}: the width of one expert; 0 when absent. */
    public long expertFeedForwardLength() {
        return archMax("expert_feed_forward_length");
    }

    /** {@code {arch}.expert_shared_feed_forward_length}: the width of the shared expert(s); 0 when absent. */
    public long expertSharedFeedForwardLength() {
        return archMax("expert_shared_feed_forward_length");
    }

    /** {@code {arch}.attention.head_count}; the largest value when it is given per layer. */
    public long headCount() {
        return archMax("attention.head_count");
    }

    /**
     * {@code {arch}.attention.head_count_kv}, defaulting to {@link #headCount()}; the largest value when it is
     * given per layer (the figure that bounds the KV cache per layer).
     */
    public long headCountKv() {
        long kv = archMax("attention.head_count_kv");
        return kv != 0 ? kv : headCount();
    }

    /** KV heads of each layer ({@link #blockCount()} entries), from a scalar or a per-layer array. */
    public long[] headCountKvPerLayer() {
        int layers = (int) Math.min(blockCount(), Integer.MAX_VALUE);
        long[] out = new long[layers];
        Object v = archValue("attention.head_count_kv");
        for (int i = 0; i < layers; i++) {
            out[i] = v instanceof GgufArray a && a.elementType().isInteger() && i < a.size() ? a.longAt(i) : headCountKv();
        }
        return out;
    }

    /** {@code {arch}.attention.key_length}, defaulting to embedding length / head count. */
    public long keyLength() {
        long k = archMax("attention.key_length");
        return k != 0 ? k : defaultHeadDim();
    }

    /** {@code {arch}.attention.value_length}, defaulting to embedding length / head count. */
    public long valueLength() {
        long v = archMax("attention.value_length");
        return v != 0 ? v : defaultHeadDim();
    }

    private long defaultHeadDim() {
        long heads = headCount();
        return heads == 0 ? 0 : embeddingLength() / heads;
    }

    public Optional<String> chatTemplate() {
        return string("tokenizer.chat_template");
    }

    /** {@code tokenizer.ggml.model}, e.g. "llama" (SentencePiece) or "gpt2" (BPE). */
    public Optional<String> tokenizerModel() {
        return string("tokenizer.ggml.model");
    }

    /** {@code {arch}.vocab_size}, else the length of {@code tokenizer.ggml.tokens}, else 0. */
    public long vocabSize() {
        long v = archMax("vocab_size");
        if (v != 0) {
            return v;
        }
        return metadata.get("tokenizer.ggml.tokens") instanceof GgufArray a ? a.size() : 0;
    }

    public OptionalLong bosTokenId() {
        return integer("tokenizer.ggml.bos_token_id");
    }

    public OptionalLong eosTokenId() {
        return integer("tokenizer.ggml.eos_token_id");
    }

    private Object archValue(String suffix) {
        return architecture().map(arch -> metadata.get(arch + "." + suffix)).orElse(null);
    }

    /** An integer hparam, or the largest entry of a per-layer array of them; 0 if absent or not integral. */
    private long archMax(String suffix) {
        Object v = archValue(suffix);
        if (v instanceof GgufArray a && a.elementType().isInteger()) {
            long max = 0;
            for (int i = 0; i < a.size(); i++) {
                max = Math.max(max, a.longAt(i));
            }
            return max;
        }
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)
                && !(v instanceof java.math.BigInteger)) {
            return n.longValue();
        }
        return 0;
    }

    /**
     * Ollama's {@code format.HumanNumber}: "8.0B" (one decimal unless whole), "494.03M" (two decimals unless
     * whole), "137K" (rounded), or the plain number below 1000. Go rounds the exact binary value half to even;
     * so does this.
     */
    public static String humanNumber(long n) {
        if (n >= 1_000_000_000L) {
            return scaled(n, 1_000_000_000L, 1, "B");
        }
        if (n >= 1_000_000L) {
            return scaled(n, 1_000_000L, 2, "M");
        }
        if (n >= 1_000L) {
            return new BigDecimal((double) n / 1_000).setScale(0, RoundingMode.HALF_EVEN).toPlainString() + "K";
        }
        return Long.toString(n);
    }

    private static String scaled(long n, long unit, int decimals, String suffix) {
        double v = (double) n / unit;
        int places = v == Math.floor(v) ? 0 : decimals;
        return new BigDecimal(v).setScale(places, RoundingMode.HALF_EVEN).toPlainString() + suffix;
    }
}
