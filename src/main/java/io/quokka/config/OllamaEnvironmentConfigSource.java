package io.quokka.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Ollama's environment variables as Quokka's settings, read the way Ollama's {@code envconfig} reads them, so an
 * Ollama deployment's environment starts Quokka exactly as it started Ollama:
 * <ul>
 *   <li>every value is stripped of surrounding spaces and quotes ({@code OLLAMA_KEEP_ALIVE="'10m'"} is 10m), and an
 *       empty one counts as unset;</li>
 *   <li>a count that is not a non-negative integer ({@code OLLAMA_NUM_PARALLEL=auto}) is ignored with a warning and
 *       the default applies, where a Quarkus conversion error would stop the server;</li>
 *   <li>a flag that is not one of Go's booleans ({@code OLLAMA_FLASH_ATTENTION=yes}) is on;</li>
 *   <li>{@code OLLAMA_HOST} sets Quarkus' HTTP host and port; {@code OLLAMA_DEBUG} sets the {@code io.quokka} log
 *       level to DEBUG (which includes llama.cpp's own log forwarded from the runners).</li>
 * </ul>
 * Durations ({@code OLLAMA_KEEP_ALIVE}, {@code OLLAMA_LOAD_TIMEOUT}) pass as text: {@code KeepAlive.fromEnvironment}
 * applies Ollama's rules to them. The ordinal sits just below environment variables (300), so an explicit
 * {@code QUOKKA_NUM_PARALLEL} or system property still wins, and above {@code application.properties} (250), which
 * holds no {@code OLLAMA_*} reference: this class is the one place they are read.
 */
public final class OllamaEnvironmentConfigSource implements ConfigSource {
    static final String QUOKKA_LOG_LEVEL = "quarkus.log.category.\"io.quokka\".level";

    private enum Kind { TEXT, COUNT, FLAG }

    private record Variable(String name, String property, Kind kind) { }

    private static final List<Variable> VARIABLES = List.of(
            new Variable("OLLAMA_MODELS", "quokka.models", Kind.TEXT),
            new Variable("OLLAMA_KEEP_ALIVE", "quokka.keep-alive", Kind.TEXT),
            new Variable("OLLAMA_LOAD_TIMEOUT", "quokka.load-timeout", Kind.TEXT),
            new Variable("OLLAMA_KV_CACHE_TYPE", "quokka.kv-cache-type", Kind.TEXT),
            new Variable("OLLAMA_PRELOAD_MODELS", "quokka.preload-models", Kind.TEXT),
            new Variable("OLLAMA_ORIGINS", "quokka.origins", Kind.TEXT),
            new Variable("OLLAMA_CONTEXT_LENGTH", "quokka.context-length", Kind.COUNT),
            new Variable("OLLAMA_NUM_PARALLEL", "quokka.num-parallel", Kind.COUNT),
            new Variable("OLLAMA_MAX_QUEUE", "quokka.max-queue", Kind.COUNT),
            new Variable("OLLAMA_MAX_LOADED_MODELS", "quokka.max-loaded-models", Kind.COUNT),
            new Variable("OLLAMA_FLASH_ATTENTION", "quokka.flash-attention", Kind.FLAG),
            new Variable("OLLAMA_NOPRUNE", "quokka.no-prune", Kind.FLAG));

    private final Map<String, String> properties;
    private final List<String> warnings;

    public OllamaEnvironmentConfigSource() {
        this(System::getenv);
    }

    /** {@code env}: the environment, a variable's name to its value or null. */
    OllamaEnvironmentConfigSource(UnaryOperator<String> env) {
        Map<String, String> p = new HashMap<>();
        List<String> w = new ArrayList<>();
        String host = value(env, "OLLAMA_HOST");
        if (!host.isEmpty()) {
            OllamaHost parsed = OllamaHost.parse(host);
            p.put("quarkus.http.host", parsed.bindHost());
            p.put("quarkus.http.port", String.valueOf(parsed.port()));
        }
        if (debug(value(env, "OLLAMA_DEBUG"))) p.put(QUOKKA_LOG_LEVEL, "DEBUG");
        for (Variable v : VARIABLES) {
            String s = value(env, v.name());
            if (s.isEmpty()) continue;
            switch (v.kind()) {
                case TEXT -> p.put(v.property(), s);
                case FLAG -> p.put(v.property(), String.valueOf(flag(s)));
                case COUNT -> {
                    if (isCount(s)) p.put(v.property(), s);
                    else w.add("invalid environment variable, using default: " + v.name() + "=" + s);
                }
            }
        }
        properties = Map.copyOf(p);
        warnings = List.copyOf(w);
    }

    /** What was ignored, for the server to log once it runs ({@code EnvironmentWarnings}). */
    public List<String> warnings() {
        return warnings;
    }

    /** Ollama's {@code envconfig.Var}: the value without surrounding spaces, then quotes; "" when unset. */
    static String value(UnaryOperator<String> env, String name) {
        String s = env.apply(name);
        if (s == null) return "";
        s = s.strip();
        int from = 0, to = s.length();
        while (from < to && isQuote(s.charAt(from))) from++;
        while (to > from && isQuote(s.charAt(to - 1))) to--;
        return s.substring(from, to);
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'';
    }

    /** Go's {@code strconv.ParseUint}, base 10, within Java's int (what every count here is). */
    private static boolean isCount(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
        return Long.parseLong(s) <= Integer.MAX_VALUE;
    }

    /** Ollama's {@code envconfig.Bool}: Go's booleans as they say, anything else set means on. */
    static boolean flag(String s) {
        return switch (s) {
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> true;
        };
    }

    /** Ollama reads {@code OLLAMA_DEBUG} as a boolean or a level number: "1", "true", "2" turn debugging on. */
    static boolean debug(String value) {
        if (value == null) return false;
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("0") || v.equals("false") || v.equals("f")) return false;
        try {
            return Integer.parseInt(v) > 0;
        } catch (NumberFormatException e) {
            return v.equals("true") || v.equals("t");
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "OLLAMA_* environment";
    }

    @Override
    public int getOrdinal() {
        return 290;
    }
}
