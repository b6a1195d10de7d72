package io.quokka.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-way cancellation flag with callbacks, shared between a request and the generation serving it. Each callback
 * runs exactly once: on the cancelling thread if it was registered before the cancel, else at once on the
 * registering thread. Callbacks run outside the token's lock.
 */
public final class CancelToken {
    private volatile boolean cancelled;
    /** Guarded by {@code this}; handed over to {@link #cancel()} (and never touched again) once cancelled. */
    private List<Runnable> callbacks = new ArrayList<>();

    public boolean isCancelled() {
        return cancelled;
    }

    /** Sets the flag and runs the callbacks registered so far, once each. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) return;
            cancelled = true;
            toRun = callbacks;
            callbacks = null;
        }
        toRun.forEach(Runnable::run);
    }

    /** Runs {@code callback} when cancelled, at once if already cancelled. */
    public void onCancel(Runnable callback) {
        synchronized (this) {
            if (!cancelled) {
                callbacks.add(callback);
                return;
            }
        }
        callback.run();
    }
}
