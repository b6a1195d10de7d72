package io.quokka.api.openai;

/**
 * A function call an assistant made.
 *
 * @param id       the call's id, which a later tool message refers to
 * @param index    its position among the calls of one message
 * @param type     always "function"
 * @param function the function's name and its arguments as a JSON text
 */
public record ToolCall(String id, Integer index, String type, Function function) {

    /** @param name the function @param arguments its arguments, a JSON object as text */
    public record Function(String name, String arguments) {}
}
