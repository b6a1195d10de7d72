package io.quokka.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * JSON as Go's {@code encoding/json} Encoder writes it, so blobs we create have the same bytes, hence the same
 * digests, as those {@code ollama create} makes: compact, map keys sorted, {@code < > &} and U+2028/9 escaped as
 * lowercase hex escapes (backslash u003c), whole floats without {@code .0}, one trailing newline.
 */
final class GoJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .addModule(new SimpleModule().addSerializer(Double.class, new GoFloat()).addSerializer(Float.class,
                    new GoFloat32()))
            .build();

    static {
        MAPPER.getFactory().setCharacterEscapes(new GoEscapes());
    }

    static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};
    static final TypeReference<List<ModelMessage>> MESSAGES = new TypeReference<>() {};

    private GoJson() {}

    /** {@code value} as Go's {@code json.NewEncoder(w).Encode(value)} writes it, newline included. */
    static byte[] encode(Object value) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(value);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Go's float64 format: shortest round-trip digits, plain between 1e-6 and 1e21, else {@code 1e-07} → {@code 1e-7}. */
    static String formatFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("unsupported value: " + d);
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return exact.toPlainString();
        }
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        StringBuilder sb = new StringBuilder();
        if (d < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        return sb.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent)).toString();
    }

    private static final class GoFloat extends StdSerializer<Double> {
        GoFloat() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(formatFloat(value));
        }
    }

    private static final class GoFloat32 extends StdSerializer<Float> {
        GoFloat32() {
            super(Float.class);
        }

        @Override
        public void serialize(Float value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            // Go would hold the decimal the user wrote as a float64; Float.toString gives back those digits.
            gen.writeNumber(formatFloat(Double.parseDouble(Float.toString(value))));
        }
    }

    /** Go's HTML-safe escaping: the ASCII escapes of JSON plus {@code < > &}, and the two JavaScript line separators. */
    private static final class GoEscapes extends CharacterEscapes {
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_STANDARD;
            ascii['>'] = ESCAPE_STANDARD;
            ascii['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case 0x2028 -> new SerializedString("\\u2028");
                case 0x2029 -> new SerializedString("\\u2029");
                default -> null;
            };
        }
    }
}
