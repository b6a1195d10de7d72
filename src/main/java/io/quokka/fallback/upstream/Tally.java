package io.quokka.fallback.upstream;

import io.quokka.engine.DoneReason;

/** What an upstream's stream said about itself as it went: counts, timings and why it ended. */
final class Tally {
    DoneReason doneReason = DoneReason.STOP;
    int promptTokens;
    long promptNanos = -1;
    int evalTokens;
    long evalNanos = -1;
    boolean done;

    static DoneReason doneReason(String wire) {
        return "length".equals(wire) ? DoneReason.LENGTH : DoneReason.STOP;
    }
}
