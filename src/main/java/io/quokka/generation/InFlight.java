package io.quokka.generation;

/** A generation running now, as the liveness watchdog sees it. */
public interface InFlight {

    /** The model it runs on. */
    String model();

    /** Nanoseconds since it last made progress (started, or produced a piece of text). */
    long nanosSinceProgress();

    /** Ends it: cancels it and ends its runner, so a wedged llama.cpp cannot hold the model. */
    void abort();
}
