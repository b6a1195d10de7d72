package io.quokka.scheduler;

import io.quokka.engine.LoadedModel;

/**
 * A claim on a resident model for the length of one request. Closing it releases the claim; when the last
 * claim goes, the model's keep-alive timer starts. Use with try-with-resources so every path releases it.
 */
public interface Lease extends AutoCloseable {

    LoadedModel model();

    /** Nanoseconds this request spent waiting for and loading the model. */
    long loadNanos();

    @Override
    void close();
}
