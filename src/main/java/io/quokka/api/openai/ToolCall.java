package io.quokka.api.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A function call an assistant made.
 *
 * @param id       the call's id, which a later tool message refers to
 * @param index    its position among the calls of one message
 * @param type     always "function"
 * @param function the function's name and its arguments as a JSON text
 */
@RegisterForReflection
public record ToolCall(String id, Integer index, String type, Function function) {

    /** A parsed call as OpenAI sends it: its arguments as JSON text. */
    static ToolCall of(io.quokka.template.Msg.ToolCall call) {
        String args;
        try {
            args = JSON.writeValueAsString(call.arguments() == null ? java.util.Map.of() : call.arguments());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            args = "{}";
        }
        return new ToolCall(call.id(), call.index(), "function", new Function(call.name(), args));
    }

    static java.util.List<ToolCall> of(java.util.List<io.quokka.template.Msg.ToolCall> calls) {
        return calls.stream().map(ToolCall::of).toList();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** @param name the function @param arguments its arguments, a JSON object as text */
    @RegisterForReflection
    public record Function(String name, String arguments) {}
}
