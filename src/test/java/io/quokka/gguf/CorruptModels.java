package io.quokka.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Structurally valid GGUF files that are not valid models: each is the toy model rewritten with one semantic fault
 * (a tensor missing, a shape that contradicts the hyperparameters, tokenizer keys missing, another architecture).
 * GGUF structure checks pass them; only a model-level check (or llama.cpp) can refuse them.
 */
public final class CorruptModels {
    private CorruptModels() {}

    /** One tensor as it will be written: its name, type, dims (ggml order) and where its bytes come from. */
    public record Tensor(String name, TensorType type, long[] dims, TensorInfo source) {}

    /** A rewrite of the valid model: its metadata and its tensors, both editable. */
    public record Model(Map<String, Object> metadata, Map<String, ValueType> types, List<Tensor> tensors) {
        Model drop(String key) {
            metadata.remove(key);
            types.remove(key);
            return this;
        }

        Model set(String key, ValueType type, Object value) {
            metadata.put(key, value);
            types.put(key, type);
            return this;
        }

        Model dropTensor(String name) {
            tensors.removeIf(t -> t.name().equals(name));
            return this;
        }

        Model reshape(String name, long... dims) {
            tensors.replaceAll(t -> t.name().equals(name) ? new Tensor(name, t.type(), dims, null) : t);
            return this;
        }
    }

    /** The faults, by label. {@code embd}/{@code vocab} are the valid model's sizes. */
    public static Map<String, UnaryOperator<Model>> faults(long embd, long vocab) {
        Map<String, UnaryOperator<Model>> f = new LinkedHashMap<>();
        f.put("missing-tensor", m -> m.dropTensor("blk.0.ffn_up.weight"));
        f.put("missing-output-norm", m -> m.dropTensor("output_norm.weight"));
        f.put("wrong-shape", m -> m.reshape("blk.0.attn_q.weight", embd, embd / 2));
        f.put("embedding-vs-vocab", m -> m.reshape("token_embd.weight", embd, vocab - 1));
        f.put("block-count-too-high", m -> m.set("llama.block_count", ValueType.UINT32, 7L));
        f.put("heads-do-not-divide", m -> m.set("llama.attention.head_count", ValueType.UINT32, embd - 1));
        f.put("kv-heads-over-heads", m -> m.set("llama.attention.head_count_kv", ValueType.UINT32, 1024L));
        f.put("no-embedding-length", m -> m.drop("llama.embedding_length"));
        f.put("no-tokens", m -> m.drop("tokenizer.ggml.tokens").drop("tokenizer.ggml.scores")
                .drop("tokenizer.ggml.token_type"));
        f.put("unknown-tokenizer", m -> m.set("tokenizer.ggml.model", ValueType.STRING, "quokka-bpe"));
        f.put("unknown-architecture", m -> m.set("general.architecture", ValueType.STRING, "quokka-arch"));
        f.put("other-architecture", m -> m.set("general.architecture", ValueType.STRING, "gpt2"));
        f.put("no-architecture", m -> m.drop("general.architecture"));
        return f;
    }

    /** Writes {@code valid} rewritten by {@code fault} to {@code out}. */
    public static void write(Path valid, UnaryOperator<Model> fault, Path out) throws IOException {
        GgufFile file = GgufReader.read(valid);
        Map<String, Object> metadata = new LinkedHashMap<>(file.metadata());
        Map<String, ValueType> types = new LinkedHashMap<>(file.metadataTypes());
        List<Tensor> tensors = new ArrayList<>();
        for (TensorInfo t : file.tensors()) {
            tensors.add(new Tensor(t.name(), t.type(), t.dims().stream().mapToLong(Long::longValue).toArray(), t));
        }
        Model model = fault.apply(new Model(metadata, types, tensors));
        GgufWriter w = new GgufWriter();
        model.metadata().forEach((k, v) -> {
            if (!k.equals(Gguf.ALIGNMENT_KEY)) w.put(k, model.types().get(k), v);
        });
        try (FileChannel in = FileChannel.open(valid, StandardOpenOption.READ)) {
            for (Tensor t : model.tensors()) {
                if (t.source() == null) {
                    long size = t.type().byteSize(TensorInfo.elementCount(t.name(), t.type(), t.dims()));
                    w.addTensor(t.name(), t.type(), t.dims(), ByteBuffer.allocate(Math.toIntExact(size)));
                } else {
                    ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(t.source().byteSize()));
                    in.read(bytes, file.absoluteOffset(t.source()));
                    w.addTensor(t.name(), t.type(), t.dims(), bytes.flip());
                }
            }
        }
        w.write(out);
    }
}
