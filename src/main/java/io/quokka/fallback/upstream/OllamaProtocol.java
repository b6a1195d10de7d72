package io.quokka.fallback.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.engine.TokenListener;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.GenerationCommand;

/**
 * Ollama's native API as an upstream: {@code /api/chat} and {@code /api/generate} with the caller's fields and options
 * passed through (a generate's {@code context} is dropped: its tokens belong to another model), streamed as NDJSON.
 */
final class OllamaProtocol implements Protocol {

    @Override
    public String path(GenerationCommand command) {
        return command instanceof GenerationCommand.Chat ? "/api/chat" : "/api/generate";
    }

    @Override
    public ObjectNode body(GenerationCommand command, String model, ObjectMapper json) {
        ObjectNode body = json.createObjectNode().put("model", model).put("stream", true);
        switch (command) {
            case GenerationCommand.Chat chat -> {
                ArrayNode messages = body.putArray("messages");
                for (ChatTurn turn : chat.messages()) {
                    messages.addObject().put("role", turn.role()).put("content", turn.content());
                }
            }
            case GenerationCommand.Generate g -> {
                body.put("prompt", g.prompt());
                if (g.suffix() != null) body.put("suffix", g.suffix());
                if (g.system() != null) body.put("system", g.system());
                if (g.template() != null) body.put("template", g.template());
                if (g.raw()) body.put("raw", true);
            }
        }
        if (command.options() != null && !command.options().isEmpty()) body.set("options", json.valueToTree(command.options()));
        JsonNode format = Protocol.format(command.format(), json);
        if (format != null) body.set("format", format);
        if (!command.truncate()) body.put("truncate", false);
        return body;
    }

    @Override
    public void line(String line, TokenListener listener, Tally tally, ObjectMapper json) throws Exception {
        if (line.isBlank()) return;
        JsonNode node = json.readTree(line);
        if (node.has("error")) throw new UpstreamException(502, Protocol.errorMessage(line, json));
        String text = node.has("message") ? node.path("message").path("content").asText("")
                : node.path("response").asText("");
        if (!text.isEmpty()) listener.onText(text);
        if (node.path("done").asBoolean(false)) {
            tally.done = true;
            tally.doneReason = Tally.doneReason(node.path("done_reason").asText("stop"));
            tally.promptTokens = node.path("prompt_eval_count").asInt(0);
            tally.promptNanos = node.path("prompt_eval_duration").asLong(-1);
            tally.evalTokens = node.path("eval_count").asInt(0);
            tally.evalNanos = node.path("eval_duration").asLong(-1);
        }
    }
}
