package io.quokka.generation;

/** Finds a model by the name a client used. */
public interface ModelResolver {

    /**
     * @throws InvalidRequestException when the name is not a valid model name
     * @throws ModelNotFoundException  when the store has no such model
     */
    ResolvedModel resolve(String requestedName);
}
