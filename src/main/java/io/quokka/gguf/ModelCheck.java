package io.quokka.gguf;

import java.util.List;
import java.util.Optional;

/**
 * Model-level checks on a structurally valid GGUF file, so that a file llama.cpp would refuse is refused here, with
 * a message naming the fault and without spawning a runner: the architecture must be named, the vocabulary present,
 * and for the {@code llama} architecture (dense, not mixture-of-experts) the hyperparameters must be consistent and
 * every tensor llama.cpp requires present with the shape they imply. Other architectures get the general checks
 * only; llama.cpp still refuses what they miss, as a load error.
 */
public final class ModelCheck {
    /**
     * The {@code tokenizer.ggml.model} values llama.cpp knows: b4916's, and those v0.5.0 added ({@code plamo2},
     * {@code gemma4}, {@code hybriddna}, {@code whitespace}). The library cannot be asked for them; b4916 refuses the
     * newer ones itself, at load, and their models' architectures before that.
     */
    static final List<String> TOKENIZERS = List.of("llama", "gpt2", "bert", "t5", "rwkv", "plamo2", "gemma4",
            "hybriddna", "whitespace", "no_vocab", "none");

    /**
     * What the engine in use can load, as it says itself (see the runner's {@code --architectures}).
     *
     * @param name          the engine, as a user knows it ({@code llama.cpp b4916})
     * @param architectures the {@code general.architecture} values it loads; empty when unknown (not checked then)
     * @param hint          appended to the refusal of an architecture it lacks (where to get one that has it), or ""
     */
    public record Engine(String name, java.util.Set<String> architectures, String hint) {
        public static final Engine UNKNOWN = new Engine("llama.cpp", java.util.Set.of(), "");
    }

    private ModelCheck() {}

    /** {@link #check(GgufFile, Engine)} without knowing the engine's architectures. */
    public static void check(GgufFile f) throws GgufException {
        check(f, Engine.UNKNOWN);
    }

    /** @throws GgufException naming the first fault found, or an architecture {@code engine} cannot load */
    public static void check(GgufFile f, Engine engine) throws GgufException {
        String arch = f.architecture().filter(a -> !a.isBlank())
                .orElseThrow(() -> invalid("general.architecture is missing"));
        if (!engine.architectures().isEmpty() && !engine.architectures().contains(arch)) {
            // llama.cpp's own words for it ("unknown model architecture: 'qwen3'"), and which engine said so
            throw new GgufException("unknown model architecture: '%s' (%s cannot load it%s)".formatted(arch,
                    engine.name(), engine.hint().isEmpty() ? "" : "; " + engine.hint()));
        }
        if (!(f.metadata().get("tokenizer.ggml.tokens") instanceof GgufArray tokens) || tokens.size() == 0) {
            throw invalid("tokenizer.ggml.tokens (the vocabulary) is missing");
        }
        var tokenizer = f.tokenizerModel();
        if (tokenizer.isPresent() && !TOKENIZERS.contains(tokenizer.get())) {
            throw invalid("unknown tokenizer '%s' (llama.cpp reads %s)", tokenizer.get(), TOKENIZERS);
        }
        if (arch.equals("llama")) checkLlama(f, tokens.size());
    }

    private static void checkLlama(GgufFile f, long vocab) throws GgufException {
        if (hparam(f, "expert_count").orElse(0L) > 0) return; // MoE: other tensor names
        long embd = required(f, "embedding_length");
        long layers = required(f, "block_count");
        long ff = required(f, "feed_forward_length");
        long heads = required(f, "attention.head_count");
        long kvHeads = hparam(f, "attention.head_count_kv").orElse(heads);
        if (heads <= 0 || kvHeads <= 0 || kvHeads > heads || heads % kvHeads != 0) {
            throw invalid("llama.attention.head_count %d and head_count_kv %d are inconsistent", heads, kvHeads);
        }
        long keyLength = hparam(f, "attention.key_length").orElse(-1L);
        long valueLength = hparam(f, "attention.value_length").orElse(-1L);
        if ((keyLength < 0 || valueLength < 0) && embd % heads != 0) {
            throw invalid("llama.embedding_length %d is not a multiple of head_count %d", embd, heads);
        }
        long headK = keyLength >= 0 ? keyLength : embd / heads;
        long headV = valueLength >= 0 ? valueLength : embd / heads;

        shape(f, "token_embd.weight", embd, vocab);
        shape(f, "output_norm.weight", embd);
        if (f.tensor("output.weight").isPresent()) shape(f, "output.weight", embd, vocab);
        for (long i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            shape(f, p + "attn_norm.weight", embd);
            shape(f, p + "attn_q.weight", embd, headK * heads);
            shape(f, p + "attn_k.weight", embd, headK * kvHeads);
            shape(f, p + "attn_v.weight", embd, headV * kvHeads);
            shape(f, p + "attn_output.weight", headV * heads, embd);
            shape(f, p + "ffn_norm.weight", embd);
            shape(f, p + "ffn_gate.weight", embd, ff);
            shape(f, p + "ffn_down.weight", ff, embd);
            shape(f, p + "ffn_up.weight", embd, ff);
        }
    }

    private static void shape(GgufFile f, String name, long... dims) throws GgufException {
        TensorInfo t = f.tensor(name).orElseThrow(() -> invalid("tensor '%s' is missing", name));
        List<Long> want = java.util.Arrays.stream(dims).boxed().toList();
        if (!t.dims().equals(want)) {
            throw invalid("tensor '%s' has shape %s, the hyperparameters imply %s", name, t.dims(), want);
        }
    }

    private static long required(GgufFile f, String key) throws GgufException {
        long v = hparam(f, key).orElseThrow(() -> invalid("llama.%s is missing", key));
        if (v <= 0) throw invalid("llama.%s is %d", key, v);
        return v;
    }

    private static Optional<Long> hparam(GgufFile f, String key) {
        var v = f.integer("llama." + key);
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }

    private static GgufException invalid(String format, Object... args) {
        return new GgufException("invalid model: " + format.formatted(args));
    }
}
