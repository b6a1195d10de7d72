package io.quokka.generation;

import io.quokka.engine.ChatMessage;
import io.quokka.engine.EngineException;
import io.quokka.engine.LoadedModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the text the model sees, in Ollama's order of precedence: {@code raw} prompts pass through; a
 * request's {@code template}, else the model's Ollama template layer, is executed as a Go template; a model
 * with only a GGUF {@code tokenizer.chat_template} is rendered by llama.cpp; with neither, the prompt is used
 * as is.
 */
public final class PromptBuilder {

    public String render(GenerationCommand command, ResolvedModel model, LoadedModel loaded) throws EngineException {
        return switch (command) {
            case GenerationCommand.Generate g -> renderGenerate(g, model, loaded);
            case GenerationCommand.Chat c -> renderChat(withModelLayers(c.messages(), model), model, loaded);
        };
    }

    private String renderGenerate(GenerationCommand.Generate g, ResolvedModel model, LoadedModel loaded)
            throws EngineException {
        if (g.raw()) return g.prompt();
        String system = g.system() != null && !g.system().isEmpty() ? g.system() : model.system();
        List<ChatTurn> turns = new ArrayList<>();
        if (system != null && !system.isEmpty()) turns.add(new ChatTurn("system", system));
        if (g.context().length == 0) turns.addAll(model.messages());
        turns.add(new ChatTurn("user", g.prompt()));
        return renderChat(turns, model, loaded);
    }

    /** Ollama prepends the model's messages layer and, unless the chat brings its own, its system prompt. */
    private static List<ChatTurn> withModelLayers(List<ChatTurn> messages, ResolvedModel model) {
        List<ChatTurn> turns = new ArrayList<>();
        if (model.system() != null && !model.system().isEmpty()
                && (messages.isEmpty() || !messages.getFirst().role().equals("system"))) {
            turns.add(new ChatTurn("system", model.system()));
        }
        turns.addAll(model.messages());
        turns.addAll(messages);
        return turns;
    }

    private String renderChat(List<ChatTurn> turns, ResolvedModel model, LoadedModel loaded) throws EngineException {
        if (loaded.facts().chatTemplate() != null) {
            List<ChatMessage> messages = turns.stream().map(t -> new ChatMessage(t.role(), t.content())).toList();
            return loaded.applyChatTemplate(null, messages, true);
        }
        StringBuilder sb = new StringBuilder();
        for (ChatTurn t : turns) sb.append(t.content());
        return sb.toString();
    }
}
