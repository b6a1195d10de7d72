package io.quokka.engine;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** A one-way cancellation flag with callbacks, shared between a request and the generation serving it. */
public final class CancelToken {
    private volatile boolean cancelled;
    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

    public boolean isCancelled() {
        return cancelled;
    }

    /** Sets the flag and runs the callbacks once. */
    public void cancel() {
        synchronized (this) {
            if (cancelled) return;
            cancelled = true;
        }
        callbacks.forEach(Runnable::run);
    }

    /** Runs {@code callback} when cancelled, at once if already cancelled. */
    public void onCancel(Runnable callback) {
        callbacks.add(callback);
        if (cancelled) callback.run();
    }
}
