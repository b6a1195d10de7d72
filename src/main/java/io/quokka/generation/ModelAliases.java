package io.quokka.generation;

import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Names clients insist on ({@code gpt-4o-mini}) mapped to models in the store ({@code qwen2.5:0.5b}), so an
 * application written for another server works unchanged, without a proxy in front.
 *
 * <p>Two sources, merged per alias: the aliases file ({@code quokka.aliases-file}, default {@code aliases.txt} in the
 * working directory; one {@code alias = target} a line, {@code #} starts a comment) and {@code QUOKKA_ALIASES}
 * ({@code "a=b,c=d"}), which wins for an alias both name. Both sides are model names ({@link ModelName#parse}), so an
 * alias matches as a model name does: ignoring case, with {@code :latest} implied ({@code gpt-4o-mini} and
 * {@code GPT-4o-mini:latest} are the same alias).
 *
 * <p>Resolution is one step. An alias whose target is itself an alias is an error, logged when the aliases are read,
 * and that alias is dropped, so no chain and no loop can form; {@link StoreModelResolver} looks an alias's target up in
 * the store only, never among the aliases. A model in the store always wins over an alias of the same name (decided at
 * each lookup, so a model pulled later takes its name back).
 */
public final class ModelAliases {

    /**
     * One alias.
     *
     * @param written the alias as configured, the name it is listed under in {@code /api/tags} and {@code /v1/models}
     * @param name    the alias as a model name, for matching
     * @param target  the model it stands for
     */
    public record Alias(String written, ModelName name, ModelName target) {}

    private static final ModelAliases NONE = new ModelAliases(Map.of(), List.of());

    private final Map<ModelName, Alias> aliases;
    private final List<String> problems;

    private ModelAliases(Map<ModelName, Alias> aliases, List<String> problems) {
        this.aliases = Collections.unmodifiableMap(aliases);
        this.problems = List.copyOf(problems);
    }

    /** No aliases. */
    public static ModelAliases none() {
        return NONE;
    }

    /**
     * Reads both sources; whatever is wrong in them is dropped and described in {@link #problems()}.
     *
     * @param file       the aliases file's text, or null when there is none
     * @param fileSource how to name the file in problems
     * @param env        {@code QUOKKA_ALIASES}, or null
     */
    public static ModelAliases parse(String file, String fileSource, String env) {
        return parse(file, fileSource, env, name -> false);
    }

    /**
     * As {@link #parse(String, String, String)}, knowing which names are models in the store: an alias whose target is
     * the name of both an alias and a model points at the model (the other alias is shadowed, never used), so it is
     * kept.
     */
    public static ModelAliases parse(String file, String fileSource, String env, Predicate<ModelName> isModel) {
        List<String> problems = new ArrayList<>();
        Map<ModelName, Alias> merged = new LinkedHashMap<>();
        Map<ModelName, Alias> fromEnv = new LinkedHashMap<>();
        if (file != null) {
            String[] lines = file.split("\\R", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                int hash = line.indexOf('#');
                if (hash >= 0) line = line.substring(0, hash);
                if (line.isBlank()) continue;
                add(merged, line, fileSource + " line " + (i + 1), problems);
            }
        }
        if (env != null) {
            for (String entry : env.split(",")) {
                if (entry.isBlank()) continue;
                add(fromEnv, entry, "QUOKKA_ALIASES entry '" + entry.strip() + "'", problems);
            }
        }
        merged.putAll(fromEnv); // the environment wins per alias
        Map<ModelName, Alias> kept = new LinkedHashMap<>();
        merged.forEach((name, alias) -> {
            Alias chained = merged.get(alias.target());
            if (chained != null && !isModel.test(alias.target())) {
                problems.add("alias '" + alias.written() + "' points at '" + chained.written()
                        + "', which is itself an alias; aliases resolve one step only, so '" + alias.written()
                        + "' is dropped (point it at a model)");
            } else {
                kept.put(name, alias);
            }
        });
        return new ModelAliases(kept, problems);
    }

    private static void add(Map<ModelName, Alias> into, String entry, String where, List<String> problems) {
        int eq = entry.indexOf('=');
        if (eq < 0) {
            problems.add(where + ": expected 'alias = model', found '" + entry.strip() + "'");
            return;
        }
        String written = entry.substring(0, eq).strip();
        String target = entry.substring(eq + 1).strip();
        ModelName name;
        ModelName to;
        try {
            name = ModelName.parse(written);
            to = ModelName.parse(target);
        } catch (InvalidModelNameException e) {
            problems.add(where + ": " + e.getMessage());
            return;
        }
        Alias previous = into.put(name, new Alias(written, name, to)); // within one source, the later line wins
        if (previous != null && !previous.target().equals(to)) {
            problems.add(where + ": alias '" + written + "' redefined (was '" + previous.target().displayShortest()
                    + "', now '" + to.displayShortest() + "')");
        }
    }

    /** The alias of that name, if one is configured. */
    public Optional<Alias> find(ModelName name) {
        return Optional.ofNullable(aliases.get(name));
    }

    /** Every alias, in configuration order. */
    public List<Alias> all() {
        return List.copyOf(aliases.values());
    }

    /** What was wrong in the configuration and dropped, one sentence each, for the start-up log. */
    public List<String> problems() {
        return problems;
    }
}
