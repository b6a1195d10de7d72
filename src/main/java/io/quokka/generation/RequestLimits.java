package io.quokka.generation;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Caps an operator puts on what one request may ask for ({@code QUOKKA_MAX_NUM_PREDICT}, {@code QUOKKA_MAX_NUM_CTX},
 * {@code QUOKKA_MAX_PROMPT_BYTES}); zero means no cap. A request that asks for more gets a 400 naming the cap; a
 * value the request leaves to the model or the server (an unlimited {@code num_predict}, a params layer's
 * {@code num_ctx}) is lowered to the cap instead.
 */
public record RequestLimits(int maxNumPredict, int maxNumCtx, long maxPromptBytes) {

    public static final RequestLimits NONE = new RequestLimits(0, 0, 0);

    /** Refuses request options over a cap (checked on the request's own values, before merging). */
    void checkRequest(Map<String, Object> requestOptions) {
        if (requestOptions == null) return;
        check("num_predict", requestOptions.get("num_predict"), maxNumPredict);
        check("num_ctx", requestOptions.get("num_ctx"), maxNumCtx);
    }

    /** The merged options with unlimited or over-cap values lowered to the caps. */
    Options apply(Options o) {
        int numPredict = o.numPredict();
        // 0 is unlimited too: the runner stops on num_predict only when it is positive.
        if (maxNumPredict > 0 && (numPredict <= 0 || numPredict > maxNumPredict)) numPredict = maxNumPredict;
        int numCtx = maxNumCtx > 0 ? Math.min(o.numCtx(), maxNumCtx) : o.numCtx();
        if (numPredict == o.numPredict() && numCtx == o.numCtx()) return o;
        return new Options(o.numKeep(), o.seed(), numPredict, o.topK(), o.topP(), o.minP(), o.typicalP(),
                o.repeatLastN(), o.temperature(), o.repeatPenalty(), o.presencePenalty(), o.frequencyPenalty(),
                o.stop(), numCtx, o.numBatch(), o.numThread(), o.useMmap());
    }

    /** Refuses a request whose texts (prompt, system, suffix, messages) together exceed the prompt cap. */
    void checkPrompt(GenerationCommand command) {
        if (maxPromptBytes <= 0) return;
        long bytes = switch (command) {
            case GenerationCommand.Generate g -> utf8(g.prompt()) + utf8(g.system()) + utf8(g.suffix());
            case GenerationCommand.Chat c -> c.messages().stream().mapToLong(m -> utf8(m.content())).sum();
        };
        checkBytes(bytes);
    }

    /** Refuses embedding inputs that together exceed the prompt cap. */
    public void checkInputs(List<String> inputs) {
        if (maxPromptBytes <= 0 || inputs == null) return;
        checkBytes(inputs.stream().mapToLong(RequestLimits::utf8).sum());
    }

    private void checkBytes(long bytes) {
        if (bytes > maxPromptBytes) {
            throw new InvalidRequestException("prompt is too long: " + bytes + " bytes, the server allows at most "
                    + maxPromptBytes + " (QUOKKA_MAX_PROMPT_BYTES)");
        }
    }

    private static void check(String key, Object value, long cap) {
        if (cap <= 0 || !(value instanceof Number n)) return;
        double v = n.doubleValue();
        if (v > cap) {
            throw new InvalidRequestException("option \"" + key + "\" is " + (long) Math.min(v, Long.MAX_VALUE)
                    + ", the server allows at most " + cap + " (QUOKKA_MAX_" + key.toUpperCase(java.util.Locale.ROOT) + ")");
        }
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
