package io.quokka.generation;

import io.quokka.scheduler.KeepAlive;
import io.quokka.template.Think;
import io.quokka.template.Tool;
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

    /** The request's {@code think}; {@link Think#UNSET} when absent (a thinking model then thinks). */
    Think think();

    /** The same request for another model (a fallback chain's local alternative). */
    GenerationCommand withModel(String model);

    /** The same command with {@code think} settled against the model (see {@link PromptBuilder#settle}). */
    GenerationCommand withThink(Think think);

    /** {@code /api/generate}. */
    record Generate(String model, String prompt, String suffix, String system, String template, int[] context,
                    boolean raw, String format, KeepAlive keepAlive, Map<String, Object> options, boolean truncate,
                    Think think)
            implements GenerationCommand {
        public Generate {
            think = think == null ? Think.UNSET : think;
        }

        public Generate(String model, String prompt, String suffix, String system, String template, int[] context,
                        boolean raw, String format, KeepAlive keepAlive, Map<String, Object> options, boolean truncate) {
            this(model, prompt, suffix, system, template, context, raw, format, keepAlive, options, truncate, null);
        }

        @Override
        public Generate withModel(String other) {
            return new Generate(other, prompt, suffix, system, template, context, raw, format, keepAlive, options,
                    truncate, think);
        }

        @Override
        public Generate withThink(Think think) {
            return new Generate(model, prompt, suffix, system, template, context, raw, format, keepAlive, options,
                    truncate, think);
        }
    }

    /**
     * {@code /api/chat}.
     *
     * @param tools the functions the model may call; empty when the request offers none
     */
    record Chat(String model, List<ChatTurn> messages, String format, KeepAlive keepAlive,
                Map<String, Object> options, boolean truncate, List<Tool> tools, Think think)
            implements GenerationCommand {
        public Chat {
            tools = tools == null ? List.of() : List.copyOf(tools);
            think = think == null ? Think.UNSET : think;
        }

        public Chat(String model, List<ChatTurn> messages, String format, KeepAlive keepAlive,
                    Map<String, Object> options, boolean truncate) {
            this(model, messages, format, keepAlive, options, truncate, null, null);
        }

        @Override
        public Chat withModel(String other) {
            return new Chat(other, messages, format, keepAlive, options, truncate, tools, think);
        }

        @Override
        public Chat withThink(Think think) {
            return new Chat(model, messages, format, keepAlive, options, truncate, tools, think);
        }
    }
}
