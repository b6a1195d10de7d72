package io.quokka.gotemplate;

import java.util.List;

/**
 * A Java value seen by templates as a Go struct. Templates address fields by their Go names
 * ({@code .Role}, {@code .Function.Name}); this interface resolves them without reflection.
 * Field order matters: it drives {@code %v} printing ({@code {a b c}}) and {@code json} output.
 *
 * <p>The rest of the data model: {@code Map<String,?>} is a Go {@code map[string]any} (printed and
 * ranged in sorted key order), {@code List<?>} a slice, {@code String}, {@code Boolean},
 * {@code Integer}/{@code Long} a Go {@code int}, {@code Double} a {@code float64}, {@code null} a nil
 * interface (printed as {@code <no value>}).
 */
public interface GoStruct {
    /** Returned by {@link #goField} for names the struct does not have. */
    Object NO_SUCH_FIELD = new Object() {
        @Override public String toString() { return "NO_SUCH_FIELD"; }
    };

    /** Go type name, used in error messages ({@code can't evaluate field X in type T}). */
    String goTypeName();

    /** Exported fields in declaration order. */
    List<GoField> goFields();

    /** The value of the named field, or {@link #NO_SUCH_FIELD}. */
    Object goField(String name);

    /**
     * A struct field: Go name, JSON key ({@code null} means the Go name, as for untagged fields), and
     * whether the {@code omitempty} option is set.
     */
    record GoField(String name, String json, boolean omitEmpty) {
        public static GoField of(String name) {
            return new GoField(name, null, false);
        }

        public static GoField json(String name, String json) {
            return new GoField(name, json, false);
        }

        public static GoField omitEmpty(String name, String json) {
            return new GoField(name, json, true);
        }

        String jsonKey() {
            return json == null ? name : json;
        }
    }
}
