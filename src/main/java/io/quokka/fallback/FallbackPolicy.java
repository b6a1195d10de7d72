package io.quokka.fallback;

import io.quokka.engine.EngineException;
import io.quokka.fallback.upstream.UpstreamException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.ModelUnusableException;
import io.quokka.scheduler.ServerBusyException;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import java.util.Optional;

/**
 * Which failures move a request down its chain, and under which reason. Only failures of the server's side before
 * the client saw a token: the memory guard refusing the load, a load that failed (llama.cpp rejected the file, the
 * runner died while loading), a runner that died before the first token, a full queue when the chain says
 * {@code on-busy}, an upstream that failed. Never a request's own fault (bad options, a schema, a prompt too long:
 * 4xx), a client that left, a server shutting down, or anything after the first token.
 *
 * <p>A requested model that is not in the store answers 404 as without a chain: the chain is for a model the machine
 * has but cannot serve, and a misspelt name should not silently reach a paid API. A local alternative that is missing
 * or unusable is skipped.
 */
public final class FallbackPolicy {
    public static final String MEMORY = "memory";
    public static final String LOAD_FAILED = "load-failed";
    public static final String RUNNER_DIED = "runner-died";
    public static final String BUSY = "busy";
    public static final String UPSTREAM_FAILED = "upstream-failed";
    public static final String UNAVAILABLE = "unavailable";

    private FallbackPolicy() {}

    /**
     * The reason {@code failure} moves the request to the next alternative, or empty when it must reach the client.
     *
     * @param alternative true when the failure is an alternative's (a missing local alternative is skipped)
     */
    public static Optional<String> reason(Throwable failure, FallbackChain chain, boolean alternative) {
        return Optional.ofNullable(switch (failure) {
            case InsufficientMemoryException m -> MEMORY;
            case EngineException e when e.kind() == EngineException.Kind.LOAD_FAILED -> LOAD_FAILED;
            case EngineException e when e.kind() == EngineException.Kind.RUNNER_FAILED -> RUNNER_DIED;
            case ServerBusyException b when chain.onBusy() -> BUSY;
            case UpstreamException u -> UPSTREAM_FAILED;
            case ModelNotFoundException n when alternative -> UNAVAILABLE;
            case ModelUnusableException u when alternative -> UNAVAILABLE;
            default -> null;
        });
    }
}
