package io.quokka.engine;

/**
 * The server's side of the runner boundary: starts a runner process that hosts exactly one model. Everything
 * llama.cpp does happens in that process, so unloading (closing the {@link LoadedModel}) returns every byte and
 * a native abort kills only the runner.
 */
public interface Engine {

    /**
     * Starts a runner and loads the model into it. Blocks until the model is ready.
     *
     * @throws EngineException when the runner cannot start or the model does not load
     */
    LoadedModel load(LoadRequest request) throws EngineException;
}
