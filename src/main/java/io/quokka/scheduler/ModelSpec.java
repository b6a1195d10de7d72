package io.quokka.scheduler;

import io.quokka.engine.LoadRequest;
import java.util.Objects;

/**
 * A model as the scheduler sees it: which store entry it is (for {@code /api/ps}) and how to load it. Two
 * specs with equal {@link #load()} can share a runner; any difference (file or load-time option) means a reload.
 *
 * @param name        the model name as the client gave it, normalised for display
 * @param digest      the manifest digest shown by {@code /api/ps}
 * @param load        what the runner loads, with its load-time options
 * @param description facts for {@code /api/ps} that the scheduler passes through without reading
 */
public record ModelSpec(String name, String digest, LoadRequest load, Object description) {
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(load, "load");
    }

    boolean sameRunnerAs(ModelSpec other) {
        return load.equals(other.load);
    }
}
