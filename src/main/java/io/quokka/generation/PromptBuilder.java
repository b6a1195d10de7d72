package io.quokka.generation;

import io.quokka.engine.ChatMessage;
import io.quokka.engine.EngineException;
import io.quokka.engine.LoadedModel;
import io.quokka.template.Msg;
import io.quokka.template.PromptTemplate;
import io.quokka.gotemplate.TemplateException;
import io.quokka.template.Think;
import io.quokka.template.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Renders the text the model sees, in Ollama's order of precedence: {@code raw} prompts pass through; a
 * request's {@code template}, else the model's Ollama template layer, is executed as a Go template with Ollama's
 * semantics; a model with only a GGUF {@code tokenizer.chat_template} is rendered by llama.cpp's built-in
 * template support; with neither, Ollama's default template ({@code {{ .Prompt }}}) applies.
 */
public final class PromptBuilder {
    private static final Logger LOG = Logger.getLogger(PromptBuilder.class);
    /** Parsed templates by text: a model's template is parsed once, not per request. */
    private final ConcurrentHashMap<String, PromptTemplate> parsed = new ConcurrentHashMap<>();

    /**
     * The prompt for {@code command}. Chats that do not fit {@code window} tokens lose their oldest messages
     * (system messages and the last message always stay), as Ollama's {@code chatPrompt} does, unless
     * {@code truncate} is false.
     */
    public String render(GenerationCommand command, ResolvedModel model, LoadedModel loaded, int window)
            throws EngineException {
        return switch (command) {
            case GenerationCommand.Generate g -> renderGenerate(g, model, loaded, window);
            case GenerationCommand.Chat c -> fitted(null, withModelLayers(c.messages(), model),
                    c.tools().isEmpty() ? null : c.tools(),
                    c.think(), model, loaded, window, c.truncate());
        };
    }

    /**
     * Settles {@code think} and checks {@code tools} against what the model's template supports, before any model
     * loads, as Ollama's handlers do: a model whose template has thinking tags thinks unless told not to; asking a
     * model without them to think is a 400 ({@code "<model>" does not support thinking}), {@code think: false} is
     * fine; tools for a template that does not mention {@code .Tools} are a 400 ({@code <model> does not support
     * tools}).
     */
    public GenerationCommand settle(GenerationCommand command, ResolvedModel model) {
        PromptTemplate template = model.template() == null ? null : templateOrNull(model.template());
        boolean thinking = template != null && template.supportsThinking();
        Think think = command.think();
        if (thinking && !think.isSet()) {
            command = command.withThink(Think.of(true));
        } else if (!thinking && think.enabled()) {
            throw new InvalidRequestException(GoQuote.quote(command.model()) + " does not support thinking");
        }
        if (command instanceof GenerationCommand.Chat c && !c.tools().isEmpty()
                && (template == null || !template.supportsTools())) {
            throw new InvalidRequestException(longName(model.name()) + " does not support tools");
        }
        return command;
    }

    /**
     * How the output of {@code command} is read: thinking split off (when it thinks and the template has thinking
     * tags), tool calls parsed (when it offered tools; the call tag comes from the template). {@code prompt} is the
     * rendered prompt.
     */
    public ReplyParser replyParser(GenerationCommand command, ResolvedModel model, String prompt) {
        String templateText = command instanceof GenerationCommand.Generate g && notEmpty(g.template())
                ? g.template() : model.template();
        PromptTemplate template = templateText == null ? null : templateOrNull(templateText);
        String[] tags = null;
        if (template != null && command.think().enabled()) {
            tags = template.thinkingTags().map(t -> new String[] {t.open(), t.close()}).orElse(null);
        }
        String tag = null;
        List<String> names = List.of();
        if (command instanceof GenerationCommand.Chat c && !c.tools().isEmpty()) {
            tag = template != null ? template.toolCallTag() : "{";
            names = c.tools().stream().map(t -> t.function().name()).toList();
        }
        return ReplyParser.of(tags, tag, names, prompt);
    }

    private PromptTemplate templateOrNull(String text) {
        try {
            return template(text);
        } catch (InvalidRequestException e) {
            return null; // a template that does not parse grants nothing; rendering reports the error
        }
    }

    private static String longName(String name) {
        try {
            return io.quokka.store.ModelName.parse(name).displayLong();
        } catch (io.quokka.store.InvalidModelNameException e) {
            return name;
        }
    }

    private String fitted(String templateOverride, List<ChatTurn> turns, List<Tool> tools, Think think,
                          ResolvedModel model, LoadedModel loaded, int window, boolean truncate)
            throws EngineException {
        String prompt = renderChat(templateOverride, turns, tools, think, model, loaded);
        if (!truncate || turns.size() < 2 || loaded.tokenize(prompt, true).length <= window) return prompt;
        int last = turns.size() - 1;
        for (int start = 1; start <= last; start++) {
            List<ChatTurn> kept = new ArrayList<>();
            for (int i = 0; i < start; i++) if (turns.get(i).role().equals("system")) kept.add(turns.get(i));
            kept.addAll(turns.subList(start, turns.size()));
            prompt = renderChat(templateOverride, kept, tools, think, model, loaded);
            if (start == last || loaded.tokenize(prompt, true).length <= window) {
                LOG.debugf("truncated %d old messages to fit a %d-token context", start, window);
                return prompt;
            }
        }
        return prompt;
    }

    /** Parses a template, or explains why it cannot be used. */
    public PromptTemplate template(String text) {
        try {
            return parsed.computeIfAbsent(text, PromptTemplate::parse);
        } catch (TemplateException e) {
            throw new InvalidRequestException("template error: " + e.getMessage());
        }
    }

    private String renderGenerate(GenerationCommand.Generate g, ResolvedModel model, LoadedModel loaded, int window)
            throws EngineException {
        if (g.raw()) return g.prompt();
        String system = g.system() != null && !g.system().isEmpty() ? g.system() : model.system();
        String templateText = notEmpty(g.template()) ? g.template() : model.template();
        if (notEmpty(g.suffix()) && templateText != null) {
            return template(templateText).renderGenerate(system, g.prompt(), g.suffix(), g.think());
        }
        List<ChatTurn> turns = new ArrayList<>();
        if (notEmpty(system)) turns.add(new ChatTurn("system", system));
        if (g.context().length == 0) turns.addAll(model.messages());
        turns.add(new ChatTurn("user", g.prompt()));
        // Ollama renders generate as a chat with an empty (not absent) tool list.
        return fitted(g.template() != null && !g.template().isEmpty() ? g.template() : null, turns, List.of(),
                g.think(), model, loaded, window, g.truncate());
    }

    /** Ollama prepends the model's messages layer and, unless the chat brings its own, its system prompt. */
    private static List<ChatTurn> withModelLayers(List<ChatTurn> messages, ResolvedModel model) {
        List<ChatTurn> turns = new ArrayList<>();
        if (notEmpty(model.system()) && (messages.isEmpty() || !messages.getFirst().role().equals("system"))) {
            turns.add(new ChatTurn("system", model.system()));
        }
        turns.addAll(model.messages());
        turns.addAll(messages);
        return turns;
    }

    /**
     * {@code tools} null means the request had none ({@code .Tools} is nil). GGUF templates run by llama.cpp get
     * roles and contents only: this llama.cpp build has no Jinja engine to show them tools or earlier calls.
     */
    private String renderChat(String templateOverride, List<ChatTurn> turns, List<Tool> tools, Think think,
                              ResolvedModel model, LoadedModel loaded) throws EngineException {
        String templateText = templateOverride != null ? templateOverride : model.template();
        if (templateText != null) {
            List<Msg> messages = turns.stream().map(ChatTurn::toMsg).toList();
            return template(templateText).renderChat(messages, tools, think);
        }
        if (loaded.facts().chatTemplate() != null) {
            List<ChatMessage> messages = turns.stream().map(t -> new ChatMessage(t.role(), t.content())).toList();
            try {
                return loaded.applyChatTemplate(null, messages, true);
            } catch (EngineException e) {
                if (e.kind() != EngineException.Kind.BAD_REQUEST) throw e;
                // A Jinja template llama.cpp cannot run: Ollama would have fallen back to its default template
                // when the model was created, so do the same rather than refuse the model.
                LOG.debugf("llama.cpp cannot apply %s's chat template (%s); using the default template",
                        model.name(), e.getMessage());
            }
        }
        List<Msg> messages = turns.stream().map(ChatTurn::toMsg).toList();
        return PromptTemplate.DEFAULT.renderChat(messages, tools, think);
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
