package io.quokka.scheduler;

/**
 * What the memory guard exposes to metrics. Implemented by the guard as a CDI bean; the metrics package registers
 * its gauges only when one exists.
 */
public interface MemoryGuardStats {

    /** Estimated bytes the resident models (and the server) use now. */
    long estimateBytes();

    /** The limit loads are held under, in bytes. */
    long limitBytes();

    /** Loads refused so far because they would not fit. */
    long refusals();
}
