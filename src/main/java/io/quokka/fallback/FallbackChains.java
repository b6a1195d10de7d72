package io.quokka.fallback;

import io.quokka.fallback.upstream.Upstream;
import io.quokka.scheduler.GoDuration;
import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured fallback chains, by model name.
 *
 * <p>Two sources, merged per model (the environment wins): the fallbacks file ({@code quokka.fallbacks-file},
 * default {@code fallbacks.txt} in the working directory; one chain a line, {@code #} starts a comment) and
 * {@code QUOKKA_FALLBACKS} (chains separated by {@code ;}). A chain:
 *
 * <pre>
 * MODEL = STEP, STEP, ...  [| on-busy]
 *
 * STEP = LOCAL-MODEL
 *      | ollama BASE-URL MODEL [timeout=DURATION]
 *      | openai BASE-URL MODEL [key=ENV-VARIABLE] [timeout=DURATION]
 * </pre>
 *
 * For example {@code qwen2.5:3b = qwen2.5:0.5b, openai https://api.deepseek.com/v1 deepseek-chat key=DEEPSEEK_API_KEY}.
 * The chain's model matches as a model name does (ignoring case, {@code :latest} implied). {@code on-busy} lets a full
 * queue move the request down the chain too. What is wrong is dropped and described in {@link #problems()}.
 */
public final class FallbackChains {
    private static final String ON_BUSY = "on-busy";

    private final Map<ModelName, FallbackChain> chains;
    private final List<String> problems;

    private FallbackChains(Map<ModelName, FallbackChain> chains, List<String> problems) {
        this.chains = Map.copyOf(chains);
        this.problems = List.copyOf(problems);
    }

    public static FallbackChains none() {
        return new FallbackChains(Map.of(), List.of());
    }

    /**
     * Reads both sources.
     *
     * @param file       the fallbacks file's text, or null when there is none
     * @param fileSource how to name the file in problems
     * @param env        {@code QUOKKA_FALLBACKS}, or null
     */
    public static FallbackChains parse(String file, String fileSource, String env) {
        Map<ModelName, FallbackChain> chains = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (file != null) {
            String[] lines = file.split("\\R");
            for (int i = 0; i < lines.length; i++) {
                String line = stripComment(lines[i]).strip();
                if (!line.isEmpty()) add(line, fileSource + " line " + (i + 1), chains, problems);
            }
        }
        if (env != null) {
            for (String entry : env.split(";")) {
                if (!entry.isBlank()) add(entry.strip(), "QUOKKA_FALLBACKS", chains, problems);
            }
        }
        return new FallbackChains(chains, problems);
    }

    /** The chain for a model name, as the client wrote it or as the store resolved it. */
    public Optional<FallbackChain> find(String... names) {
        for (String name : names) {
            if (name == null) continue;
            try {
                FallbackChain chain = chains.get(ModelName.parse(name));
                if (chain != null) return Optional.of(chain);
            } catch (InvalidModelNameException ignored) {
                // Not a model name: no chain.
            }
        }
        return Optional.empty();
    }

    public Collection<FallbackChain> all() {
        return chains.values();
    }

    /** What was wrong in the configuration, one sentence each. */
    public List<String> problems() {
        return problems;
    }

    /** A {@code #} at the start or after a space starts a comment (a URL's fragment does not). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static void add(String text, String where, Map<ModelName, FallbackChain> chains, List<String> problems) {
        try {
            FallbackChain chain = chain(text);
            chains.put(ModelName.parse(chain.model()), chain);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage() + " (ignored)");
        }
    }

    static FallbackChain chain(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("expected 'model = alternative, ...'");
        String model = text.substring(0, eq).strip();
        if (!ModelName.isValid(model)) throw new IllegalArgumentException("'" + model + "' is not a model name");
        String rest = text.substring(eq + 1);
        boolean onBusy = false;
        int bar = rest.indexOf('|');
        if (bar >= 0) {
            for (String option : rest.substring(bar + 1).strip().split("\\s+")) {
                if (option.equals(ON_BUSY)) onBusy = true;
                else if (!option.isEmpty()) throw new IllegalArgumentException("unknown chain option '" + option + "'");
            }
            rest = rest.substring(0, bar);
        }
        List<Step> steps = new ArrayList<>();
        for (String step : rest.split(",")) {
            if (step.isBlank()) throw new IllegalArgumentException("an empty alternative");
            steps.add(step(step.strip()));
        }
        return new FallbackChain(model, steps, onBusy);
    }

    private static Step step(String text) {
        String[] words = text.split("\\s+");
        if (words.length == 1) {
            if (!ModelName.isValid(words[0])) throw new IllegalArgumentException("'" + words[0] + "' is not a model name");
            return new Step.Local(words[0]);
        }
        Upstream.Api api = switch (words[0]) {
            case "ollama" -> Upstream.Api.OLLAMA;
            case "openai" -> Upstream.Api.OPENAI;
            default -> throw new IllegalArgumentException(
                    "an alternative is a model name, or 'ollama|openai BASE-URL MODEL ...': '" + words[0] + "'");
        };
        if (words.length < 3) throw new IllegalArgumentException("an upstream needs a base URL and a model");
        URI base;
        try {
            String url = words[1].endsWith("/") ? words[1].substring(0, words[1].length() - 1) : words[1];
            base = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        String key = null;
        Duration timeout = Upstream.DEFAULT_TIMEOUT;
        for (int i = 3; i < words.length; i++) {
            String word = words[i];
            if (word.startsWith("key=") && api == Upstream.Api.OPENAI) {
                key = word.substring(4);
                if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("key= names an environment variable holding the key, not the key");
                }
            } else if (word.startsWith("timeout=")) {
                timeout = GoDuration.parse(word.substring(8));
            } else {
                throw new IllegalArgumentException("unknown upstream option '" + word.replaceAll("=.*", "=…") + "'");
            }
        }
        return new Step.Remote(new Upstream(api, base, words[2], key, timeout));
    }
}
