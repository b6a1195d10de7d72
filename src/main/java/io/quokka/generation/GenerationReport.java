package io.quokka.generation;

/**
 * One generation as it ended, for metrics and the access log.
 *
 * @param endpoint          the kind of request: {@code generate} or {@code chat}
 * @param model             the model name as resolved in the store
 * @param outcome           how it ended: a done reason ({@code stop}, {@code length}), {@code cancelled},
 *                          {@code error} (load or engine failure) or {@code rejected} (queue full, shutting down)
 * @param promptTokens      prompt tokens evaluated (0 when it never ran)
 * @param generatedTokens   tokens generated ({@code eval_count})
 * @param timeToFirstNanos  request arrival to first piece of text, or -1 when none was produced
 * @param loadNanos         time spent waiting for and loading the model
 * @param evalNanos         time spent generating
 * @param totalNanos        request arrival to end
 * @param error             the failure's message, or null
 * @param fallback          the fallback that chose this model instead of the requested one, or null
 */
public record GenerationReport(String endpoint, String model, String outcome, int promptTokens, int generatedTokens,
                               long timeToFirstNanos, long loadNanos, long evalNanos, long totalNanos, String error,
                               Fallback fallback) {

    public GenerationReport(String endpoint, String model, String outcome, int promptTokens, int generatedTokens,
                            long timeToFirstNanos, long loadNanos, long evalNanos, long totalNanos, String error) {
        this(endpoint, model, outcome, promptTokens, generatedTokens, timeToFirstNanos, loadNanos, evalNanos,
                totalNanos, error, null);
    }

    public static final String CANCELLED = "cancelled";
    public static final String ERROR = "error";
    public static final String REJECTED = "rejected";

    /** Generated tokens per second of generation time, or 0 when nothing was generated. */
    public double tokensPerSecond() {
        return generatedTokens > 0 && evalNanos > 0 ? generatedTokens * 1e9 / evalNanos : 0;
    }

    /** The HTTP-like status this outcome is answered with (for the access log). */
    public int status() {
        return switch (outcome) {
            case ERROR -> 500;
            case REJECTED -> 503;
            case CANCELLED -> 499;
            default -> 200;
        };
    }
}
