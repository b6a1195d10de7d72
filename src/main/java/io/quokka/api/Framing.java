package io.quokka.api;

import io.quokka.generation.Fallback;
import io.quokka.generation.Outcome;
import io.quokka.generation.Reply;
import jakarta.ws.rs.core.Response;

/**
 * How one API family puts a generation on the wire: Ollama's NDJSON lines or OpenAI's server-sent events, for one
 * request. {@link GenerationResponder} does everything else (claiming the model, committing the headers of a slow
 * claim, the client's departure, releasing the model) the same way for both. Streamed calls come in order, one at a
 * time: {@link #opening} (only for a slow claim), {@link #piece} for each piece, then {@link #end} or
 * {@link #failure}.
 */
public interface Framing {

    /** The content type of a streamed answer. */
    String streamType();

    /** The content type of a whole (non-streamed) answer. */
    String wholeType();

    /**
     * What a stream starts with when its model is slow to come (queued, loading), to commit the 200 and headers at
     * once so that the client does not time out; empty for the headers alone.
     */
    byte[][] opening();

    /** The bytes for one piece of the reply (text, thinking, tool calls); empty when there is nothing to send. */
    byte[][] piece(Reply piece, Fallback fallback);

    /** The stream's last bytes: what was held back until the end, and the outcome. */
    byte[][] end(Reply rest, Outcome outcome, Fallback fallback);

    /** The stream's last bytes when the generation fails after the headers went out. */
    byte[][] failure(Exception e);

    /** The whole answer of a non-streamed request. */
    Object whole(Reply reply, Outcome outcome, Fallback fallback);

    /** The answer to a request with nothing to generate: {@code doneReason} is "load" or "unload". */
    Response nothingToGenerate(String doneReason, boolean stream);
}
