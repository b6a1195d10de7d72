package io.quokka.generation;

import io.quokka.scheduler.KeepAlive;
import java.util.List;
import java.util.Map;

/** What a client asked for, decoded from the wire but not yet resolved against the store. */
public sealed interface GenerationCommand {

    String model();

    KeepAlive keepAlive();

    Map<String, Object> options();

    /** "json", a JSON schema text, or null. */
    String format();

    /** False refuses a prompt longer than the context window instead of truncating it (Ollama's {@code truncate}). */
    boolean truncate();

    /** The same request for another model (a fallback chain's local alternative). */
    GenerationCommand withModel(String model);

    /** {@code /api/generate}. */
    record Generate(String model, String prompt, String suffix, String system, String template, int[] context,
                    boolean raw, String format, KeepAlive keepAlive, Map<String, Object> options, boolean truncate)
            implements GenerationCommand {
        @Override
        public Generate withModel(String other) {
            return new Generate(other, prompt, suffix, system, template, context, raw, format, keepAlive, options,
                    truncate);
        }
    }

    /** {@code /api/chat}. */
    record Chat(String model, List<ChatTurn> messages, String format, KeepAlive keepAlive,
                Map<String, Object> options, boolean truncate) implements GenerationCommand {
        @Override
        public Chat withModel(String other) {
            return new Chat(other, messages, format, keepAlive, options, truncate);
        }
    }
}
