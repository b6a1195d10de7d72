package io.quokka.engine;

/** Why a generation ended; the wire names are Ollama's. */
public enum DoneReason {
    /** An end-of-generation token or a stop string. */
    STOP("stop"),
    /** {@code num_predict} tokens were generated. */
    LENGTH("length"),
    /** The caller cancelled (the client went away). */
    CANCELLED("cancelled");

    public final String wireName;

    DoneReason(String wireName) {
        this.wireName = wireName;
    }
}
