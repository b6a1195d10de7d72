package io.quokka.api.ollama;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function call made by the model (Ollama's {@code api.ToolCall}).
 *
 * @param id       the call's id ({@code call_...}), which a later {@code tool} message may name in {@code tool_call_id}
 * @param function what is called
 */
@RegisterForReflection
public record ToolCall(@JsonInclude(JsonInclude.Include.NON_EMPTY) String id, Function function) {

    /**
     * @param index     the call's position among the calls of one reply
     * @param name      the tool's name
     * @param arguments the arguments, a JSON object (never a string), in the order the model wrote them
     */
    @RegisterForReflection
    public record Function(int index, String name, Map<String, Object> arguments) {
        public Function {
            arguments = arguments == null ? Map.of() : arguments;
        }
    }

    public static ToolCall of(io.quokka.template.Msg.ToolCall call) {
        Map<String, Object> args = call.arguments() == null ? Map.of() : new LinkedHashMap<>(call.arguments());
        return new ToolCall(call.id(), new Function(call.index(), call.name(), args));
    }

    public static List<ToolCall> of(List<io.quokka.template.Msg.ToolCall> calls) {
        return calls.stream().map(ToolCall::of).toList();
    }

    public io.quokka.template.Msg.ToolCall toDomain() {
        Function f = function == null ? new Function(0, "", null) : function;
        return new io.quokka.template.Msg.ToolCall(id, f.index(), f.name(), f.arguments());
    }
}
