package io.quokka.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Builds {@link Options} as Ollama does: its defaults, then the model's params layer, then the request's
 * {@code options}. Types are checked like Go's {@code Options.FromMap}: numbers for integer options (fractions
 * truncated), numbers for float options, booleans, arrays of strings; anything else is a 400 with Ollama's
 * message. Unknown names are ignored with a warning.
 */
public final class OptionsParser {
    private static final Logger LOG = Logger.getLogger(OptionsParser.class);

    private static final Set<String> INT_OPTIONS = Set.of("num_keep", "seed", "num_predict", "top_k",
            "repeat_last_n", "num_ctx", "num_batch", "num_thread", "num_gpu", "main_gpu", "draft_num_predict");
    private static final Set<String> FLOAT_OPTIONS = Set.of("top_p", "min_p", "typical_p", "temperature",
            "repeat_penalty", "presence_penalty", "frequency_penalty");
    private static final Set<String> BOOL_OPTIONS = Set.of("use_mmap");
    private static final Set<String> STRING_ARRAY_OPTIONS = Set.of("stop");

    /** Defaults that depend on the server and the model: {@code OLLAMA_CONTEXT_LENGTH} and CPU count. */
    public record Defaults(int numCtx, int numThread) {}

    private OptionsParser() {}

    public static Options parse(Defaults defaults, Map<String, Object> modelParams, Map<String, Object> request) {
        Builder b = new Builder(defaults);
        if (modelParams != null) modelParams.forEach(b::set);
        if (request != null) request.forEach(b::set);
        return b.build();
    }

    private static final class Builder {
        int numKeep = 4;
        long seed = -1;
        int numPredict = -1;
        int topK = 40;
        float topP = 0.9f;
        float minP = 0.0f;
        float typicalP = 1.0f;
        int repeatLastN = 64;
        float temperature = 0.8f;
        float repeatPenalty = 1.0f;
        float presencePenalty = 0.0f;
        float frequencyPenalty = 0.0f;
        List<String> stop = List.of();
        int numCtx;
        int numBatch = 512;
        int numThread;
        boolean useMmap = true;

        Builder(Defaults defaults) {
            numCtx = defaults.numCtx();
            numThread = defaults.numThread();
        }

        void set(String key, Object value) {
            if (value == null) return;
            if (INT_OPTIONS.contains(key)) setInt(key, asLong(key, value));
            else if (FLOAT_OPTIONS.contains(key)) setFloat(key, asFloat(key, value));
            else if (BOOL_OPTIONS.contains(key)) useMmap = asBool(key, value);
            else if (STRING_ARRAY_OPTIONS.contains(key)) stop = asStrings(key, value);
            else LOG.warnf("invalid option provided: %s", key);
        }

        private void setInt(String key, long v) {
            switch (key) {
                case "num_keep" -> numKeep = (int) v;
                case "seed" -> seed = v;
                case "num_predict" -> numPredict = (int) v;
                case "top_k" -> topK = (int) v;
                case "repeat_last_n" -> repeatLastN = (int) v;
                case "num_ctx" -> numCtx = v > 0 ? (int) Math.min(v, Integer.MAX_VALUE) : numCtx;
                case "num_batch" -> numBatch = v > 0 ? (int) Math.min(v, Integer.MAX_VALUE) : numBatch;
                case "num_thread" -> numThread = v > 0 ? (int) Math.min(v, 1024) : numThread;
                default -> { } // GPU options: accepted and meaningless on a CPU-only server.
            }
        }

        private void setFloat(String key, float v) {
            switch (key) {
                case "top_p" -> topP = v;
                case "min_p" -> minP = v;
                case "typical_p" -> typicalP = v;
                case "temperature" -> temperature = v;
                case "repeat_penalty" -> repeatPenalty = v;
                case "presence_penalty" -> presencePenalty = v;
                case "frequency_penalty" -> frequencyPenalty = v;
                default -> throw new IllegalStateException(key);
            }
        }

        Options build() {
            return new Options(numKeep, seed, numPredict, topK, topP, minP, typicalP, repeatLastN, temperature,
                    repeatPenalty, presencePenalty, frequencyPenalty, stop, numCtx, numBatch, numThread, useMmap);
        }
    }

    private static long asLong(String key, Object value) {
        if (value instanceof Number n) return n instanceof Double || n instanceof Float ? (long) n.doubleValue() : n.longValue();
        throw new InvalidRequestException("option \"" + key + "\" must be of type integer");
    }

    private static float asFloat(String key, Object value) {
        if (value instanceof Number n) return n.floatValue();
        throw new InvalidRequestException("option \"" + key + "\" must be of type float32");
    }

    private static boolean asBool(String key, Object value) {
        if (value instanceof Boolean b) return b;
        throw new InvalidRequestException("option \"" + key + "\" must be of type boolean");
    }

    private static List<String> asStrings(String key, Object value) {
        if (!(value instanceof List<?> list)) throw new InvalidRequestException("option \"" + key + "\" must be of type array");
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) throw new InvalidRequestException("option \"" + key + "\" must be of an array of strings");
            out.add(s);
        }
        return List.copyOf(out);
    }
}
