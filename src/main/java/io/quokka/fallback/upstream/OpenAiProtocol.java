package io.quokka.fallback.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quokka.engine.TokenListener;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.GenerationCommand;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's chat completions as an upstream ({@code /chat/completions}, server-sent events with usage): a chat's
 * messages as they are, a generate's {@code system} and {@code prompt} as a system and a user message; the Ollama
 * options OpenAI knows are translated ({@code num_predict} → {@code max_tokens}, {@code temperature}, {@code top_p},
 * {@code seed}, {@code stop}, the penalties), {@code format} becomes {@code response_format}, the rest is dropped.
 */
final class OpenAiProtocol implements Protocol {
    private static final Map<String, String> OPTIONS = Map.of("temperature", "temperature", "top_p", "top_p",
            "seed", "seed", "stop", "stop", "frequency_penalty", "frequency_penalty",
            "presence_penalty", "presence_penalty");

    @Override
    public String path(GenerationCommand command) {
        return "/chat/completions";
    }

    @Override
    public ObjectNode body(GenerationCommand command, String model, ObjectMapper json) {
        ObjectNode body = json.createObjectNode().put("model", model).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        ArrayNode messages = body.putArray("messages");
        switch (command) {
            case GenerationCommand.Chat chat -> {
                for (ChatTurn turn : chat.messages()) {
                    messages.addObject().put("role", turn.role()).put("content", turn.content());
                }
            }
            case GenerationCommand.Generate g -> {
                if (g.system() != null && !g.system().isEmpty()) {
                    messages.addObject().put("role", "system").put("content", g.system());
                }
                messages.addObject().put("role", "user").put("content", g.prompt());
            }
        }
        Map<String, Object> options = command.options() == null ? Map.of() : command.options();
        options.forEach((key, value) -> {
            if (OPTIONS.containsKey(key) && value != null) body.set(OPTIONS.get(key), json.valueToTree(value));
        });
        if (options.get("num_predict") instanceof Number n && n.intValue() > 0) body.put("max_tokens", n.intValue());
        if (options.get("stop") instanceof String s) body.set("stop", json.valueToTree(List.of(s)));
        JsonNode format = Protocol.format(command.format(), json);
        if (format != null && format.isTextual()) {
            body.putObject("response_format").put("type", "json_object");
        } else if (format != null) {
            ObjectNode schema = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            schema.put("name", "response");
            schema.set("schema", format);
        }
        return body;
    }

    @Override
    public void line(String line, TokenListener listener, Tally tally, ObjectMapper json) throws Exception {
        if (!line.startsWith("data:")) return; // blank separators, comments, event names
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
            tally.done = true;
            return;
        }
        JsonNode node = json.readTree(data);
        if (node.has("error")) throw new UpstreamException(502, Protocol.errorMessage(data, json));
        JsonNode choice = node.path("choices").path(0);
        String text = choice.path("delta").path("content").asText("");
        if (!text.isEmpty()) listener.onText(text);
        if (choice.path("finish_reason").isTextual()) {
            tally.doneReason = Tally.doneReason(choice.path("finish_reason").asText());
        }
        JsonNode usage = node.path("usage");
        if (usage.isObject()) {
            tally.promptTokens = usage.path("prompt_tokens").asInt(0);
            tally.evalTokens = usage.path("completion_tokens").asInt(0);
        }
    }
}
