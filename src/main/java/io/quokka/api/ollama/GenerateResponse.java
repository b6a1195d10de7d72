package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * One line of {@code /api/generate}'s stream, or its whole answer when not streamed. Metrics appear on the final
 * object only ({@code omitempty}, as in Ollama).
 *
 * @param model                model name as requested
 * @param created_at           when this object was made, RFC 3339 in UTC
 * @param response             the text generated since the previous object
 * @param thinking             the thinking since the previous object, when the request thinks and the template has
 *                             thinking tags
 * @param done                 true on the final object
 * @param done_reason          stop, length, load or unload
 * @param context              prompt and response tokens, to continue from
 * @param total_duration       nanoseconds spent on the whole request
 * @param load_duration        nanoseconds spent loading the model
 * @param prompt_eval_count    prompt tokens evaluated
 * @param prompt_eval_duration nanoseconds spent on them
 * @param eval_count           tokens generated
 * @param eval_duration        nanoseconds spent generating
 */
@RegisterForReflection
public record GenerateResponse(
        String model,
        String created_at,
        String response,
        @JsonInclude(Include.NON_EMPTY) String thinking,
        boolean done,
        @JsonInclude(Include.NON_EMPTY) String done_reason,
        @JsonInclude(Include.NON_EMPTY) List<Integer> context,
        @JsonInclude(Include.NON_DEFAULT) long total_duration,
        @JsonInclude(Include.NON_DEFAULT) long load_duration,
        @JsonInclude(Include.NON_DEFAULT) int prompt_eval_count,
        @JsonInclude(Include.NON_DEFAULT) long prompt_eval_duration,
        @JsonInclude(Include.NON_DEFAULT) int eval_count,
        @JsonInclude(Include.NON_DEFAULT) long eval_duration) {

    public static GenerateResponse chunk(String model, String text, String thinking) {
        return chunk(model, Timestamps.now(), text, thinking);
    }

    public static GenerateResponse chunk(String model, String createdAt, String text, String thinking) {
        return new GenerateResponse(model, createdAt, text, thinking, false, null, null, 0, 0, 0, 0, 0, 0);
    }

    /** The final object, carrying the metrics. */
    public static GenerateResponse done(String model, String text, String thinking, String doneReason,
                                        List<Integer> context, long totalNanos, long loadNanos, int promptEvalCount,
                                        long promptEvalNanos, int evalCount, long evalNanos) {
        return new GenerateResponse(model, Timestamps.now(), text, thinking, true, doneReason, context, totalNanos, loadNanos,
                promptEvalCount, promptEvalNanos, evalCount, evalNanos);
    }

    public static GenerateResponse doneWithoutWork(String model, String reason) {
        return new GenerateResponse(model, Timestamps.now(), "", null, true, reason, null, 0, 0, 0, 0, 0, 0);
    }
}
