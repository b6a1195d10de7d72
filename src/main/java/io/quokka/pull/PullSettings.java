package io.quokka.pull;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How pulls behave.
 *
 * @param huggingFace  base of the Hugging Face API and file URLs ({@code HF_ENDPOINT}, default {@code https://huggingface.co})
 * @param prune        whether a pull that replaces a model removes the blobs nothing references any more
 *                     (Ollama does unless {@code OLLAMA_NOPRUNE})
 * @param maxRetries   attempts in a row without progress before a part of a download gives up (Ollama: 6)
 * @param firstBackoff wait after the first failed attempt, doubled after each further one (Ollama: 1s)
 * @param stall        a transfer that receives nothing for this long is cut and retried (Ollama: 30s)
 * @param userAgent    sent with every request
 * @param minPart      smallest part a large blob is split into, fetched at once (Ollama: 100 MB, parts of up to
 *                     1000 MB, 16 of them for big blobs)
 */
public record PullSettings(URI huggingFace, boolean prune, int maxRetries, Duration firstBackoff, Duration stall,
                           String userAgent, long minPart) {

    public static final URI HUGGING_FACE = URI.create("https://huggingface.co");
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    public PullSettings {
        Objects.requireNonNull(huggingFace, "huggingFace");
        if (minPart < 1) throw new IllegalArgumentException("minPart must be positive");
        if (maxRetries < 1) throw new IllegalArgumentException("maxRetries must be at least 1");
        String s = huggingFace.toString();
        if (s.endsWith("/")) huggingFace = URI.create(s.substring(0, s.length() - 1));
    }

    /** Ollama's figures. */
    public static PullSettings defaults() {
        return new PullSettings(HUGGING_FACE, true, 6, Duration.ofSeconds(1), Duration.ofSeconds(30),
                "ollama/0.32.15 (amd64 linux) Quokka", 100L * 1000 * 1000);
    }

    public PullSettings withHuggingFace(URI endpoint) {
        return new PullSettings(endpoint, prune, maxRetries, firstBackoff, stall, userAgent, minPart);
    }

    public PullSettings withPrune(boolean newPrune) {
        return new PullSettings(huggingFace, newPrune, maxRetries, firstBackoff, stall, userAgent, minPart);
    }

    public PullSettings withFirstBackoff(Duration backoff) {
        return new PullSettings(huggingFace, prune, maxRetries, backoff, stall, userAgent, minPart);
    }

    public PullSettings withStall(Duration newStall) {
        return new PullSettings(huggingFace, prune, maxRetries, firstBackoff, newStall, userAgent, minPart);
    }

    public PullSettings withMinPart(long bytes) {
        return new PullSettings(huggingFace, prune, maxRetries, firstBackoff, stall, userAgent, bytes);
    }

    /** The wait before attempt {@code failures + 1}: doubling from {@link #firstBackoff}, at most 30 s. */
    Duration backoff(int failures) {
        Duration d = firstBackoff.multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
