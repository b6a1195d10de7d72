package io.quokka.engine;

/** Receives generated text as it is produced. Called on the generating thread; must not block for long. */
@FunctionalInterface
public interface TokenListener {
    void onText(String text);
}
