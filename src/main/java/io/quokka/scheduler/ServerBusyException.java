package io.quokka.scheduler;

/** More requests are waiting than {@code OLLAMA_MAX_QUEUE} allows. The message is Ollama's, word for word. */
public final class ServerBusyException extends Exception {
    public ServerBusyException() {
        super("server busy, please try again.  maximum pending requests exceeded");
    }
}
