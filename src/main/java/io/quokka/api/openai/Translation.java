package io.quokka.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.generation.ChatTurn;
import io.quokka.generation.GenerationCommand;
import io.quokka.api.ToolDefinitions;
import io.quokka.generation.InvalidRequestException;
import io.quokka.template.Msg;
import io.quokka.template.Think;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OpenAI requests as native generation commands, field by field as Ollama's {@code openai.FromChatRequest} and
 * {@code FromCompleteRequest} translate them: {@code temperature} and {@code top_p} default to 1.0 (OpenAI's
 * defaults, overriding the model's), no field is scaled, {@code max_tokens} is {@code num_predict}.
 */
final class Translation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IMAGE_TYPES = List.of("jpeg", "jpg", "png", "webp");

    private Translation() {}

    /** A chat command and whether its messages carried images or audio (which the model must support). */
    record Chat(GenerationCommand.Chat command, boolean hasMedia) {}

    static Chat chat(ChatCompletionRequest r) {
        if (r.messages() == null || r.messages().isEmpty()) {
            throw new OpenAiRequestException("[] is too short - 'messages'", "messages");
        }
        onlyOneChoice(r.n());
        List<ChatTurn> turns = new ArrayList<>();
        boolean media = false;
        for (ChatMessage m : r.messages()) {
            media |= turns(m == null ? new ChatMessage(null, null, null, null, null, null) : m, r.messages(), turns);
        }
        Map<String, Object> options = new HashMap<>();
        stopForChat(r.stop(), options);
        Integer max = r.max_completion_tokens() != null ? r.max_completion_tokens() : r.max_tokens();
        if (max != null) options.put("num_predict", max);
        options.put("temperature", r.temperature() != null ? r.temperature() : 1.0);
        if (r.seed() != null) options.put("seed", r.seed());
        if (r.frequency_penalty() != null) options.put("frequency_penalty", r.frequency_penalty());
        if (r.presence_penalty() != null) options.put("presence_penalty", r.presence_penalty());
        options.put("top_p", r.top_p() != null ? r.top_p() : 1.0);
        // OpenAI has no truncate: the native default (drop the oldest messages to fit the window) applies.
        var command = new GenerationCommand.Chat(r.model(), turns, format(r.response_format()), null, options, true,
                ToolDefinitions.tools(r.tools()), think(r.reasoning(), r.reasoning_effort()));
        return new Chat(command, media);
    }

    static GenerationCommand.Generate completion(CompletionRequest r) {
        onlyOneChoice(r.n());
        if (Boolean.TRUE.equals(r.echo())) throw new OpenAiRequestException("echo is not supported", "echo");
        Map<String, Object> options = new HashMap<>();
        stopForCompletion(r.stop(), options);
        if (r.max_tokens() != null) options.put("num_predict", r.max_tokens());
        options.put("temperature", r.temperature() != null ? r.temperature() : 1.0);
        if (r.seed() != null) options.put("seed", r.seed());
        options.put("frequency_penalty", r.frequency_penalty() != null ? r.frequency_penalty() : 0.0);
        options.put("presence_penalty", r.presence_penalty() != null ? r.presence_penalty() : 0.0);
        options.put("top_p", r.top_p() != null && r.top_p() != 0.0 ? r.top_p() : 1.0);
        return new GenerationCommand.Generate(r.model(), r.prompt() == null ? "" : r.prompt(), r.suffix(), null, null,
                new int[0], false, null, null, options, true);
    }

    private static void onlyOneChoice(Integer n) {
        if (n != null && n != 1) {
            throw new OpenAiRequestException("n = " + n + " is not supported: Quokka generates exactly one choice", "n");
        }
    }

    /**
     * Adds the turns of one message; true when it carried an image or audio part. As Ollama: a tool message's tool
     * name is its {@code name}, else the name of the call its {@code tool_call_id} answers; an assistant's
     * {@code tool_calls} and {@code reasoning} go with the message (with content parts, with the last part).
     */
    private static boolean turns(ChatMessage m, List<ChatMessage> all, List<ChatTurn> out) {
        String role = m.role() == null ? "" : m.role();
        String toolName = null;
        if (role.toLowerCase(Locale.ROOT).equals("tool")) {
            toolName = m.name();
            if ((toolName == null || toolName.isEmpty()) && m.tool_call_id() != null && !m.tool_call_id().isEmpty()) {
                toolName = nameFromToolCallId(all, m.tool_call_id());
            }
        }
        JsonNode content = m.content();
        if (content != null && content.isTextual()) {
            out.add(new ChatTurn(role, content.asText(), m.reasoning(), toolCalls(m.tool_calls()), toolName,
                    m.tool_call_id()));
            return false;
        }
        if (content != null && content.isArray()) {
            boolean media = false;
            for (JsonNode part : content) {
                if (!part.isObject()) throw new InvalidRequestException("invalid message format");
                switch (part.path("type").asText("")) {
                    case "text" -> {
                        JsonNode text = part.get("text");
                        if (text == null || !text.isTextual()) throw new InvalidRequestException("invalid message format");
                        out.add(new ChatTurn(role, text.asText()));
                    }
                    case "image_url" -> {
                        JsonNode image = part.get("image_url");
                        JsonNode url = image != null && image.isObject() ? image.get("url") : image;
                        if (url == null || !url.isTextual()) throw new InvalidRequestException("invalid message format");
                        decodeImageUrl(url.asText());
                        media = true;
                    }
                    case "input_audio" -> {
                        JsonNode audio = part.get("input_audio");
                        if (audio == null || !audio.isObject()) throw new InvalidRequestException("invalid input_audio format");
                        JsonNode data = audio.get("data");
                        if (data == null || !data.isTextual()) {
                            throw new InvalidRequestException("invalid input_audio format: missing data");
                        }
                        try {
                            Base64.getDecoder().decode(data.asText());
                        } catch (IllegalArgumentException e) {
                            throw new InvalidRequestException("invalid input_audio base64 data: " + e.getMessage());
                        }
                        media = true;
                    }
                    default -> throw new InvalidRequestException("invalid message format");
                }
            }
            if (!out.isEmpty() && m.tool_calls() != null && !m.tool_calls().isEmpty()) {
                ChatTurn last = out.removeLast();
                out.add(new ChatTurn(last.role(), last.content(), m.reasoning(), toolCalls(m.tool_calls()), toolName,
                        m.tool_call_id()));
            }
            return media;
        }
        // Content may be absent only when the message carries tool calls.
        if (m.tool_calls() == null) throw new InvalidRequestException("invalid message content type: " + goType(content));
        out.add(new ChatTurn(role, "", m.reasoning(), toolCalls(m.tool_calls()), null, m.tool_call_id()));
        return false;
    }

    /** Earlier tool calls, whose arguments must be a JSON object's text, as Ollama checks. */
    @SuppressWarnings("unchecked")
    private static List<Msg.ToolCall> toolCalls(List<ToolCall> calls) {
        if (calls == null) return List.of();
        List<Msg.ToolCall> out = new ArrayList<>(calls.size());
        for (ToolCall call : calls) {
            String args = call == null || call.function() == null ? null : call.function().arguments();
            Map<String, Object> parsed;
            try {
                JsonNode node = args == null ? null : JSON.readTree(args);
                if (node == null || !(node.isObject() || node.isNull())) throw new IOException("not an object");
                parsed = node.isNull() ? null : JSON.convertValue(node, LinkedHashMap.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidRequestException("invalid tool call arguments");
            }
            String name = call.function().name();
            out.add(new Msg.ToolCall(call.id(), 0, name, parsed));
        }
        return out;
    }

    /** The function of the latest call with this id (last one wins, as Ollama). */
    private static String nameFromToolCallId(List<ChatMessage> messages, String id) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m == null || m.tool_calls() == null) continue;
            for (ToolCall c : m.tool_calls()) {
                if (c != null && id.equals(c.id()) && c.function() != null) return c.function().name();
            }
        }
        return "";
    }

    /**
     * {@code reasoning.effort} (else {@code reasoning_effort}) as Ollama's {@code thinkFromReasoningEffort}: "none"
     * turns thinking off, "minimal" is "low", "xhigh" and "ultra" are "max"; absent leaves the model's default.
     */
    static Think think(JsonNode reasoning, String reasoningEffort) {
        String effort = "";
        if (reasoning != null && !reasoning.isNull()) {
            if (!reasoning.isObject()) throw new InvalidRequestException("invalid reasoning: expected an object");
            JsonNode e = reasoning.get("effort");
            if (e != null && !e.isNull()) {
                if (!e.isTextual()) throw new InvalidRequestException("invalid reasoning effort: expected a string");
                effort = e.asText();
            }
        } else if (reasoningEffort != null) {
            effort = reasoningEffort;
        }
        return switch (effort) {
            case "" -> Think.UNSET;
            case "none" -> Think.of(false);
            case "minimal" -> Think.of("low");
            case "low", "medium", "high", "max" -> Think.of(effort);
            case "xhigh", "ultra" -> Think.of("max");
            default -> throw new InvalidRequestException("invalid reasoning value: \"" + effort + "\" (must be "
                    + "\"minimal\", \"low\", \"medium\", \"high\", \"xhigh\", \"ultra\", \"max\", or \"none\")");
        };
    }

    /** Ollama accepts base64 data URLs of JPEG, PNG and WebP images (or with no MIME type), not web URLs. */
    private static void decodeImageUrl(String url) {
        if (url.startsWith("http://") || url.startsWith("https://")) {
            throw new InvalidRequestException("image URLs are not currently supported, please use base64 encoded data instead");
        }
        String data = null;
        if (url.startsWith("data:;base64,")) {
            data = url.substring("data:;base64,".length());
        } else {
            for (String type : IMAGE_TYPES) {
                String prefix = "data:image/" + type + ";base64,";
                if (url.startsWith(prefix)) {
                    data = url.substring(prefix.length());
                    break;
                }
            }
        }
        if (data == null) throw new InvalidRequestException("invalid image input");
        try {
            Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("invalid image input");
        }
    }

    /** Chat: a string, or the strings of an array (anything else in it skipped); other types are ignored. */
    private static void stopForChat(JsonNode stop, Map<String, Object> options) {
        if (stop == null) return;
        if (stop.isTextual()) {
            options.put("stop", List.of(stop.asText()));
        } else if (stop.isArray()) {
            List<String> stops = new ArrayList<>();
            for (JsonNode s : stop) if (s.isTextual()) stops.add(s.asText());
            options.put("stop", stops);
        }
    }

    /** Completions: as chat, but a non-string in the array is a 400. */
    private static void stopForCompletion(JsonNode stop, Map<String, Object> options) {
        if (stop == null) return;
        if (stop.isTextual()) {
            options.put("stop", List.of(stop.asText()));
        } else if (stop.isArray()) {
            List<String> stops = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw new InvalidRequestException("invalid type for 'stop' field: " + goType(s));
                stops.add(s.asText());
            }
            options.put("stop", stops);
        }
    }

    /** {@code json_object} is Ollama's "json"; {@code json_schema} passes its schema through as the format. */
    static String format(ResponseFormat f) {
        if (f == null || f.type() == null) return null;
        return switch (f.type().trim().toLowerCase(Locale.ROOT)) {
            case "json_object" -> "json";
            case "json_schema" -> {
                JsonNode schema = f.json_schema() == null ? null : f.json_schema().schema();
                if (schema == null || schema.isNull() || schema.isMissingNode()) yield null;
                if (schema.isObject()) yield schema.toString();
                if (schema.isTextual() && schema.asText().equals("json")) yield "json";
                throw new InvalidRequestException("invalid format: expected \"json\" or a JSON schema");
            }
            default -> null;
        };
    }

    /** The Go type name {@code encoding/json} gives a JSON value decoded into {@code any}, as in Ollama's messages. */
    private static String goType(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return "<nil>";
        if (node.isNumber()) return "float64";
        if (node.isBoolean()) return "bool";
        if (node.isTextual()) return "string";
        if (node.isArray()) return "[]interface {}";
        return "map[string]interface {}";
    }
}
