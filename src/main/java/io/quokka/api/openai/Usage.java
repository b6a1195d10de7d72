package io.quokka.api.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quokka.engine.GenerationResult;

/**
 * Token counts, Ollama's {@code prompt_eval_count} and {@code eval_count}.
 *
 * @param prompt_tokens     prompt tokens evaluated
 * @param completion_tokens tokens generated
 * @param total_tokens      their sum
 */
@RegisterForReflection
public record Usage(int prompt_tokens, int completion_tokens, int total_tokens) {
    static final Usage ZERO = new Usage(0, 0, 0);

    static Usage of(GenerationResult r) {
        return new Usage(r.promptEvalCount(), r.evalCount(), r.promptEvalCount() + r.evalCount());
    }
}
