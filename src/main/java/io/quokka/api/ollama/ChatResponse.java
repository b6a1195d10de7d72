package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quokka.generation.Reply;

/**
 * One line of {@code /api/chat}'s stream, or its whole answer when not streamed.
 *
 * @param model                model name as requested
 * @param created_at           when this object was made, RFC 3339 in UTC
 * @param message              the assistant's text (and thinking, tool calls) since the previous object
 * @param done                 true on the final object
 * @param done_reason          stop, length, load or unload
 * @param total_duration       nanoseconds spent on the whole request
 * @param load_duration        nanoseconds spent loading the model
 * @param prompt_eval_count    prompt tokens evaluated
 * @param prompt_eval_duration nanoseconds spent on them
 * @param eval_count           tokens generated
 * @param eval_duration        nanoseconds spent generating
 */
@RegisterForReflection
public record ChatResponse(
        String model,
        String created_at,
        Message message,
        boolean done,
        @JsonInclude(Include.NON_EMPTY) String done_reason,
        @JsonInclude(Include.NON_DEFAULT) long total_duration,
        @JsonInclude(Include.NON_DEFAULT) long load_duration,
        @JsonInclude(Include.NON_DEFAULT) int prompt_eval_count,
        @JsonInclude(Include.NON_DEFAULT) long prompt_eval_duration,
        @JsonInclude(Include.NON_DEFAULT) int eval_count,
        @JsonInclude(Include.NON_DEFAULT) long eval_duration) {

    public static ChatResponse chunk(String model, Reply piece) {
        return chunk(model, Timestamps.now(), piece);
    }

    public static ChatResponse chunk(String model, String createdAt, Reply piece) {
        return new ChatResponse(model, createdAt, Message.assistant(piece), false, null, 0, 0, 0, 0, 0, 0);
    }

    /** The final object, carrying the metrics (and, when not streamed, the whole reply). */
    public static ChatResponse done(String model, Reply reply, String doneReason, long totalNanos, long loadNanos,
                                    int promptEvalCount, long promptEvalNanos, int evalCount, long evalNanos) {
        return new ChatResponse(model, Timestamps.now(), Message.assistant(reply), true, doneReason, totalNanos,
                loadNanos, promptEvalCount, promptEvalNanos, evalCount, evalNanos);
    }

    public static ChatResponse doneWithoutWork(String model, String reason) {
        return new ChatResponse(model, Timestamps.now(), Message.assistant(""), true, reason, 0, 0, 0, 0, 0, 0);
    }
}
