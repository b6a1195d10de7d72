package io.quokka.scheduler;

import java.util.List;
import java.util.Objects;

/**
 * Where the start-up preload ({@code preload-models.txt}, {@code OLLAMA_PRELOAD_MODELS}) stands; readiness waits for
 * it. The preloader implements this as a CDI bean; without one, a default bean answers {@link State#NONE}.
 */
public interface PreloadStatus {

    enum State {
        /** Nothing to preload: ready at once. */
        NONE,
        /** A preload is configured and has not started yet. */
        PENDING,
        /** A preload model is loading. */
        LOADING,
        /** Every preload model is resident. */
        READY,
        /** The preload failed; {@link Snapshot#reason()} says why. */
        FAILED
    }

    /**
     * @param state  where the preload stands
     * @param models the models to preload, as configured
     * @param reason why it failed ({@link State#FAILED}), otherwise null
     */
    record Snapshot(State state, List<String> models, String reason) {
        public static final Snapshot NONE = new Snapshot(State.NONE, List.of(), null);

        public Snapshot {
            Objects.requireNonNull(state, "state");
            models = List.copyOf(models);
        }

        public static Snapshot failed(List<String> models, String reason) {
            return new Snapshot(State.FAILED, models, reason);
        }
    }

    /** The current state; cheap, called on every readiness probe. */
    Snapshot preload();
}
