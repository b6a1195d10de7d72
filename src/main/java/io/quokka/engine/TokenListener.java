package io.quokka.engine;

/**
 * Receives generated text as it is produced, in order, on the engine's delivery thread (for a runner, the thread
 * reading its events, shared by every generation on that runner). It must return at once: hand the text on, never
 * wait for a client. An exception stops the generation and is rethrown to its caller.
 */
@FunctionalInterface
public interface TokenListener {
    void onText(String text);
}
