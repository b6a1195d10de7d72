package io.quokka.template;

import java.util.List;
import java.util.Map;

/**
 * A tool definition (Ollama's api.Tool). Map-valued properties keep insertion order where Ollama
 * keeps it (nested {@code properties}); {@code items}, {@code defs} are decoded JSON passed through.
 */
public record Tool(String type, Object items, Function function) {
    public Tool {
        type = type == null ? "" : type;
    }

    public static Tool function(String name, String description, Parameters parameters) {
        return new Tool("function", null, new Function(name, description, parameters));
    }

    public record Function(String name, String description, Parameters parameters) {
        public Function {
            name = name == null ? "" : name;
            description = description == null ? "" : description;
            parameters = parameters == null ? new Parameters(null, null, null, null, null) : parameters;
        }
    }

    /** api.ToolFunctionParameters; {@code properties == null} is Go's nil map. */
    public record Parameters(String type, Object defs, Object items, List<String> required, Map<String, Property> properties) {
        public Parameters {
            type = type == null ? "" : type;
        }

        public static Parameters object(List<String> required, Map<String, Property> properties) {
            return new Parameters("object", null, null, required, properties);
        }
    }

    /** api.ToolProperty. {@code type} may list several JSON types. */
    public record Property(List<Property> anyOf, List<String> type, Object items, String description,
                           List<Object> enumValues, Map<String, Property> properties, List<String> required) {
        public Property {
            description = description == null ? "" : description;
        }

        public static Property of(String type, String description) {
            return new Property(null, List.of(type), null, description, null, null, null);
        }

        public static Property ofEnum(String type, String description, List<Object> values) {
            return new Property(null, List.of(type), null, description, values, null, null);
        }
    }
}
