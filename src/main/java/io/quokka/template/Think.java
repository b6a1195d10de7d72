package io.quokka.template;

/**
 * The request's {@code think} value as templates see it: {@code .Think} (bool), {@code .ThinkLevel}
 * and {@code .IsThinkSet}. Mirrors api.ThinkValue's Bool()/String().
 */
public record Think(boolean enabled, String level, boolean isSet) {
    public Think {
        level = level == null ? "" : level;
    }

    public static final Think UNSET = new Think(false, "", false);

    /** {@code "think": true|false}: true means level "medium". */
    public static Think of(boolean value) {
        return new Think(value, value ? "medium" : "", true);
    }

    /** {@code "think": "high"|"medium"|"low"|"max"}; other strings do not enable thinking. */
    public static Think of(String level) {
        boolean on = switch (level) {
            case "high", "medium", "low", "max" -> true;
            default -> false;
        };
        return new Think(on, level, true);
    }
}
