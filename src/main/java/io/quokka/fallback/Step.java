package io.quokka.fallback;

import io.quokka.fallback.upstream.Upstream;

/** One alternative in a fallback chain: another model in the store, or an upstream server. */
public sealed interface Step {

    /** How the step is named in the response's {@code model} field, headers, logs and metrics. */
    String name();

    /** Another model in this server's store. */
    record Local(String model) implements Step {
        @Override
        public String name() {
            return model;
        }
    }

    /** A model on another server. */
    record Remote(Upstream upstream) implements Step {
        @Override
        public String name() {
            return upstream.model();
        }
    }
}
