package io.quokka.template;

import io.quokka.gotemplate.GoFmt;
import io.quokka.gotemplate.GoJson;
import io.quokka.gotemplate.GoStruct;
import io.quokka.gotemplate.GoStruct.GoField;
import io.quokka.gotemplate.GoValues;
import io.quokka.gotemplate.GoValues.Nil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values Ollama hands its templates (template.go's templateMessage, templateTool, ... and
 * api.ToolProperty), as {@link GoStruct} records with the same field names, order, json tags and
 * String() methods, so printing and {@code json} match Go byte for byte.
 */
final class OllamaValues {
    private OllamaValues() {}

    // ---------------------------------------------------------------- messages

    /** templateMessage: no json tags, so json uses the Go names. */
    record TMessage(String role, String content, String thinking, Object images, Object toolCalls,
                    String toolName, String toolCallId) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.of("Role"), GoField.of("Content"), GoField.of("Thinking"),
                GoField.of("Images"), GoField.of("ToolCalls"), GoField.of("ToolName"), GoField.of("ToolCallID"));

        @Override public String goTypeName() { return "*template.templateMessage"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String name) {
            return switch (name) {
                case "Role" -> role;
                case "Content" -> content;
                case "Thinking" -> thinking;
                case "Images" -> images;
                case "ToolCalls" -> toolCalls;
                case "ToolName" -> toolName;
                case "ToolCallID" -> toolCallId;
                default -> NO_SUCH_FIELD;
            };
        }
    }

    record TToolCall(String id, TToolCallFunction function) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.of("ID"), GoField.of("Function"));

        @Override public String goTypeName() { return "template.templateToolCall"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String name) {
            return switch (name) {
                case "ID" -> id;
                case "Function" -> function;
                default -> NO_SUCH_FIELD;
            };
        }
    }

    record TToolCallFunction(long index, String name, TemplateArgs arguments) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.of("Index"), GoField.of("Name"), GoField.of("Arguments"));

        @Override public String goTypeName() { return "template.templateToolCallFunction"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String name) {
            return switch (name) {
                case "Index" -> index;
                case "Name" -> name();
                case "Arguments" -> arguments;
                default -> NO_SUCH_FIELD;
            };
        }
    }

    /** templateArgs map[string]any: String() is its JSON, "{}" when nil. */
    record TemplateArgs(Object underlying) implements GoValues.Named, GoValues.Stringer {
        @Override public String goString() {
            return underlying == Nil.MAP ? "{}" : GoJson.marshal(underlying);
        }
    }

    // ---------------------------------------------------------------- tools

    /** templateTools []templateTool: String() is its JSON. */
    record TemplateTools(Object underlying) implements GoValues.Named, GoValues.Stringer {
        @Override public String goString() { return GoJson.marshal(underlying); }
    }

    record TTool(String type, Object items, TToolFunction function) implements GoStruct, GoValues.Stringer {
        static final List<GoField> FIELDS = List.of(GoField.json("Type", "type"), GoField.omitEmpty("Items", "items"),
                GoField.json("Function", "function"));

        @Override public String goTypeName() { return "template.templateTool"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String name) {
            return switch (name) {
                case "Type" -> type;
                case "Items" -> items;
                case "Function" -> function;
                default -> NO_SUCH_FIELD;
            };
        }
        @Override public String goString() { return GoJson.marshal(this); }
    }

    record TToolFunction(String name, String description, TToolParams parameters) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.json("Name", "name"), GoField.json("Description", "description"),
                GoField.json("Parameters", "parameters"));

        @Override public String goTypeName() { return "template.templateToolFunction"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String n) {
            return switch (n) {
                case "Name" -> name;
                case "Description" -> description;
                case "Parameters" -> parameters;
                default -> NO_SUCH_FIELD;
            };
        }
    }

    record TToolParams(String type, Object defs, Object items, Object required, TemplateProperties properties) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.json("Type", "type"), GoField.omitEmpty("Defs", "$defs"),
                GoField.omitEmpty("Items", "items"), GoField.omitEmpty("Required", "required"),
                GoField.json("Properties", "properties"));

        @Override public String goTypeName() { return "template.templateToolFunctionParameters"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String n) {
            return switch (n) {
                case "Type" -> type;
                case "Defs" -> defs;
                case "Items" -> items;
                case "Required" -> required;
                case "Properties" -> properties;
                default -> NO_SUCH_FIELD;
            };
        }
    }

    /** templateProperties map[string]api.ToolProperty: String() is JSON (sorted keys), "{}" when nil. */
    record TemplateProperties(Object underlying) implements GoValues.Named, GoValues.Stringer {
        @Override public String goString() {
            return underlying == Nil.MAP ? "{}" : GoJson.marshal(underlying);
        }
    }

    /** api.ToolProperty. */
    record TProperty(Object anyOf, PropertyType type, Object items, String description, Object enumValues,
                     Object properties, Object required) implements GoStruct {
        static final List<GoField> FIELDS = List.of(GoField.omitEmpty("AnyOf", "anyOf"), GoField.omitEmpty("Type", "type"),
                GoField.omitEmpty("Items", "items"), GoField.omitEmpty("Description", "description"),
                GoField.omitEmpty("Enum", "enum"), GoField.omitEmpty("Properties", "properties"),
                GoField.omitEmpty("Required", "required"));

        @Override public String goTypeName() { return "api.ToolProperty"; }
        @Override public List<GoField> goFields() { return FIELDS; }
        @Override public Object goField(String n) {
            return switch (n) {
                case "AnyOf" -> anyOf;
                case "Type" -> type;
                case "Items" -> items;
                case "Description" -> description;
                case "Enum" -> enumValues;
                case "Properties" -> properties;
                case "Required" -> required;
                default -> NO_SUCH_FIELD;
            };
        }

        /** api.ToolProperty.ToTypeScriptType. */
        String toTypeScriptType() {
            if (anyOf instanceof List<?> l && !l.isEmpty()) {
                List<String> types = new ArrayList<>();
                for (Object o : l) types.add(((TProperty) o).toTypeScriptType());
                return String.join(" | ", types);
            }
            List<String> t = type.types();
            if (t.isEmpty()) return "any";
            List<String> types = new ArrayList<>();
            for (String s : t) types.add(switch (s) {
                case "string" -> "string";
                case "number", "integer" -> "number";
                case "boolean" -> "boolean";
                case "array" -> "any[]";
                case "object" -> "Record<string, any>";
                case "null" -> "null";
                default -> "any";
            });
            return String.join(" | ", types);
        }
    }

    /** api.PropertyType []string: one type marshals as a string; String() is the type or %v of the list. */
    record PropertyType(List<String> types) implements GoValues.Named, GoValues.Stringer, GoValues.JsonMarshaler {
        @Override public Object underlying() { return types.isEmpty() ? Nil.SLICE : types; }
        @Override public String goString() {
            if (types.isEmpty()) return "";
            if (types.size() == 1) return types.getFirst();
            return GoFmt.sprint1(types);
        }
        @Override public String marshalJson() {
            if (types.size() == 1) return GoJson.marshal(types.getFirst());
            return types.isEmpty() ? "null" : GoJson.marshal(types);
        }
    }

    /**
     * *api.ToolPropertiesMap: a pointer to a struct with only unexported fields. Templates can test
     * it for nil and json it (insertion order); fmt would print a pointer address, which we can't.
     */
    record PropertiesMapPtr(Map<String, TProperty> map) implements GoStruct, GoValues.JsonMarshaler {
        @Override public String goTypeName() { return "*api.ToolPropertiesMap"; }
        @Override public List<GoField> goFields() { return List.of(); }
        @Override public Object goField(String name) { return NO_SUCH_FIELD; }
        @Override public String marshalJson() {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (var e : map.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                GoJson.string(sb, e.getKey());
                sb.append(':');
                GoJson.write(sb, e.getValue());
            }
            return sb.append('}').toString();
        }
    }

    // ---------------------------------------------------------------- conversion

    static Object messages(List<Msg> msgs) {
        if (msgs == null || msgs.isEmpty()) return Nil.SLICE;
        List<Object> out = new ArrayList<>(msgs.size());
        for (Msg m : msgs) {
            Object calls = Nil.SLICE;
            if (!m.toolCalls().isEmpty()) {
                List<Object> cs = new ArrayList<>();
                for (Msg.ToolCall tc : m.toolCalls()) {
                    Object args = tc.arguments() == null ? Nil.MAP : jsonValue(tc.arguments());
                    cs.add(new TToolCall(tc.id(), new TToolCallFunction(tc.index(), tc.name(), new TemplateArgs(args))));
                }
                calls = cs;
            }
            Object images = m.images().isEmpty() ? Nil.SLICE : List.copyOf(m.images());
            out.add(new TMessage(m.role(), m.content(), m.thinking(), images, calls, m.toolName(), m.toolCallId()));
        }
        return out;
    }

    static TemplateTools tools(List<Tool> tools) {
        if (tools == null) return new TemplateTools(Nil.SLICE);
        List<Object> out = new ArrayList<>(tools.size());
        for (Tool t : tools) {
            Tool.Function f = t.function() == null ? new Tool.Function(null, null, null) : t.function();
            Tool.Parameters p = f.parameters();
            Object props = Nil.MAP;
            if (p.properties() != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                p.properties().forEach((k, v) -> m.put(k, property(v)));
                props = m;
            }
            out.add(new TTool(t.type(), jsonValue(t.items()), new TToolFunction(f.name(), f.description(),
                    new TToolParams(p.type(), jsonValue(p.defs()), jsonValue(p.items()), strings(p.required()),
                            new TemplateProperties(props)))));
        }
        return new TemplateTools(out);
    }

    private static Object strings(List<String> l) {
        return l == null ? Nil.SLICE : List.copyOf(l);
    }

    static TProperty property(Tool.Property p) {
        Object anyOf = Nil.SLICE;
        if (p.anyOf() != null) {
            List<Object> l = new ArrayList<>();
            for (Tool.Property a : p.anyOf()) l.add(property(a));
            anyOf = l;
        }
        Object props = Nil.POINTER;
        if (p.properties() != null) {
            Map<String, TProperty> m = new LinkedHashMap<>();
            p.properties().forEach((k, v) -> m.put(k, property(v)));
            props = new PropertiesMapPtr(m);
        }
        Object enumValues = p.enumValues() == null ? Nil.SLICE : jsonValue(p.enumValues());
        return new TProperty(anyOf, new PropertyType(p.type() == null ? List.of() : List.copyOf(p.type())),
                jsonValue(p.items()), p.description(), enumValues, props, strings(p.required()));
    }

    /**
     * Decoded JSON as Go's encoding/json produces it into {@code any}: every number is a float64.
     */
    static Object jsonValue(Object v) {
        return switch (v) {
            case null -> null;
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, val) -> out.put(String.valueOf(k), jsonValue(val)));
                yield out;
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (Object o : l) out.add(jsonValue(o));
                yield out;
            }
            case Double d -> d;
            case BigDecimal d -> d.doubleValue();
            case BigInteger b -> b.doubleValue();
            case Number n -> n.doubleValue();
            default -> v;
        };
    }
}
