package io.quokka.generation;

import io.quokka.engine.CancelToken;
import io.quokka.engine.EmbeddingRequest;
import io.quokka.engine.EmbeddingResult;
import io.quokka.engine.EngineException;
import io.quokka.scheduler.KeepAlive;
import io.quokka.scheduler.Lease;
import io.quokka.scheduler.ModelSpec;
import io.quokka.scheduler.RequestCancelledException;
import io.quokka.scheduler.Scheduler;
import io.quokka.scheduler.ServerBusyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Embeddings for {@code /api/embed}, {@code /api/embeddings} and {@code /v1/embeddings}: resolves the model, merges
 * its load-time options exactly as generation does (so a model loaded for chat serves embeddings without a reload,
 * and the other way round), claims it from the scheduler and runs the engine. Also Ollama's normalisation, which
 * {@code /api/embed} applies and the legacy endpoint does not. Knows nothing of HTTP.
 */
public final class EmbeddingService {
    private final ModelResolver resolver;
    private final Scheduler scheduler;
    private final GenerationService generation;

    public EmbeddingService(ModelResolver resolver, Scheduler scheduler, GenerationService generation) {
        this.resolver = resolver;
        this.scheduler = scheduler;
        this.generation = generation;
    }

    /**
     * What a client asked for.
     *
     * @param model     the model name
     * @param inputs    texts to embed; empty only loads the model
     * @param truncate  cut over-long inputs to the context instead of refusing them
     * @param options   model options (only the load-time ones matter here)
     * @param keepAlive how long the model stays loaded afterwards, or null for the server default
     */
    public record Command(String model, List<String> inputs, boolean truncate, Map<String, Object> options,
                          KeepAlive keepAlive) {
        public Command {
            inputs = inputs == null ? List.of() : List.copyOf(inputs);
        }
    }

    /**
     * The raw (unnormalised) vectors and Ollama's timings.
     *
     * @param embeddings      one vector per input, in order; empty when there were no inputs
     * @param promptEvalCount tokens evaluated over all inputs
     * @param loadNanos       time spent waiting for and loading the model
     * @param totalNanos      time from the request's arrival to the end
     */
    public record Embedded(List<float[]> embeddings, int promptEvalCount, long loadNanos, long totalNanos) {}

    /**
     * Validates, loads the model if needed and embeds; blocks until done. Refused ({@link ShuttingDownException})
     * once a graceful shutdown has begun.
     */
    public Embedded embed(Command command, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        long start = System.nanoTime();
        if (generation.draining()) throw new ShuttingDownException(); // as generations: a drain refuses new work
        if (command.model() == null || command.model().isBlank()) {
            throw new InvalidRequestException("model is required");
        }
        ResolvedModel model = GenerationService.resolve(resolver, scheduler, command.model());
        generation.limits().checkInputs(command.inputs());
        // The same placement as generation: one runner serves both, and a pinned keep-alive holds for both.
        GenerationService.Placement placement = generation.place(model, command.options(), command.keepAlive());
        ModelSpec spec = placement.spec();
        KeepAlive keepAlive = placement.keepAlive();
        try (Lease lease = scheduler.acquire(spec, keepAlive, cancel)) {
            if (command.inputs().isEmpty()) {
                return new Embedded(List.of(), 0, lease.loadNanos(), System.nanoTime() - start);
            }
            EmbeddingResult r = lease.model().embed(new EmbeddingRequest(command.inputs(), command.truncate()), cancel);
            return new Embedded(r.embeddings(), r.promptEvalCount(), lease.loadNanos(), System.nanoTime() - start);
        }
    }

    /**
     * Ollama's {@code /api/embed} post-processing: L2-normalise; then, when {@code dimensions} is positive and
     * smaller than the vector, keep the first {@code dimensions} values and normalise again.
     *
     * @throws InvalidRequestException when the vector holds NaN or infinite values (Ollama's 400)
     */
    public static float[] normalize(float[] vector, int dimensions) {
        float[] v = l2(vector.clone());
        if (dimensions > 0 && dimensions < v.length) v = l2(java.util.Arrays.copyOf(v, dimensions));
        return v;
    }

    /** {@link #normalize(float[], int)} for each vector. */
    public static List<float[]> normalizeAll(List<float[]> vectors, int dimensions) {
        List<float[]> out = new ArrayList<>(vectors.size());
        for (float[] v : vectors) out.add(normalize(v, dimensions));
        return out;
    }

    private static float[] l2(float[] v) {
        double sum = 0;
        for (float f : v) {
            if (!Float.isFinite(f)) throw new InvalidRequestException("embedding contains NaN or Inf values");
            sum += (double) f * f;
        }
        float scale = (float) (1.0 / Math.max(Math.sqrt(sum), 1e-12));
        for (int i = 0; i < v.length; i++) v[i] *= scale;
        return v;
    }
}
