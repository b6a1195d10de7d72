package io.quokka.fallback;

import java.util.List;

/**
 * The alternatives for one model, tried in order when it cannot answer.
 *
 * @param model  the model name the chain is for, as configured
 * @param steps  the alternatives, in order
 * @param onBusy whether a full queue (503) also moves the request down the chain
 */
public record FallbackChain(String model, List<Step> steps, boolean onBusy) {
    public FallbackChain {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) throw new IllegalArgumentException("a fallback chain needs at least one alternative");
    }
}
