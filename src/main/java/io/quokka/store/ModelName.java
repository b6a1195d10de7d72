package io.quokka.store;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A fully qualified model name, as Ollama's {@code types/model.Name}.
 *
 * <p>Grammar (the only parser of names in Quokka is {@link #parse}):
 *
 * <pre>
 *   name      := [ [scheme "://"] host "/" ] [ namespace "/" ] model [ ":" tag ]
 *   host      := (alnum | "_") (alnum | "_" | "-" | "." | ":")*     length 1..350   e.g. "localhost:5000"
 *   namespace := (alnum | "_") (alnum | "_" | "-")*                 length 1..80
 *   model     := (alnum | "_") (alnum | "_" | "-" | ".")*           length 1..80
 *   tag       := (alnum | "_") (alnum | "_" | "-" | ".")*           length 1..80
 * </pre>
 *
 * where {@code alnum} is ASCII {@code [A-Za-z0-9]}. Missing parts default to host {@code registry.ollama.ai},
 * namespace {@code library}, tag {@code latest}: {@code llama3.2} is {@code registry.ollama.ai/library/llama3.2:latest}.
 * A part "promised" by its separator but empty ({@code model:}, {@code /ns/model}) is invalid, as is a digest
 * ({@code model@sha256:...}). The tag is split off at the last {@code :} only when it comes after the last
 * {@code /}, so {@code host:port/ns/model} has host {@code host:port} and tag {@code latest}. A protocol scheme
 * before the host is accepted and dropped, as Ollama keeps it only to reach the registry.
 *
 * <p>Equality and hashing ignore ASCII case, as Ollama's {@code Name.EqualFold}; the parts keep the case they were
 * written in, which is also the case used on disk.
 *
 * @param host      registry host, optionally with {@code :port}
 * @param namespace registry namespace (user or organisation)
 * @param model     model name
 * @param tag       tag (variant) of the model
 */
public record ModelName(String host, String namespace, String model, String tag) {

    public static final String DEFAULT_HOST = "registry.ollama.ai";
    public static final String DEFAULT_NAMESPACE = "library";
    public static final String DEFAULT_TAG = "latest";

    /** Validates every part, so a {@code ModelName} is always fully qualified and safe as a path. */
    public ModelName {
        String display = host + "/" + namespace + "/" + model + ":" + tag;
        checkPart(Part.HOST, host, display);
        checkPart(Part.NAMESPACE, namespace, display);
        checkPart(Part.MODEL, model, display);
        checkPart(Part.TAG, tag, display);
    }

    /**
     * Parses a user-supplied name, filling in the defaults.
     *
     * @throws InvalidModelNameException for anything the grammar rejects
     */
    public static ModelName parse(String s) {
        if (s == null) {
            throw new InvalidModelNameException(null, "name is missing");
        }
        // Mirrors ParseNameBare: cut from the right; a separator with nothing on one side marks that part missing.
        String rest = s;
        String host = null;
        String namespace = null;
        String tag = null;
        if (rest.lastIndexOf(':') > rest.lastIndexOf('/')) {
            int i = rest.lastIndexOf(':');
            tag = promised(rest.substring(i + 1));
            rest = promised(rest.substring(0, i));
        }
        String model;
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            model = rest;
        } else {
            model = promised(rest.substring(slash + 1));
            rest = promised(rest.substring(0, slash));
            slash = rest.lastIndexOf('/');
            if (slash < 0) {
                namespace = rest;
            } else {
                namespace = promised(rest.substring(slash + 1));
                rest = promised(rest.substring(0, slash));
                int scheme = rest.indexOf("://");
                host = scheme < 0 ? rest : rest.substring(scheme + 3);
            }
        }
        try {
            return new ModelName(
                    orDefault(host, DEFAULT_HOST),
                    orDefault(namespace, DEFAULT_NAMESPACE),
                    model,
                    orDefault(tag, DEFAULT_TAG));
        } catch (InvalidModelNameException e) {
            throw new InvalidModelNameException(s, e.reason());
        }
    }

    /** True when {@link #parse} accepts {@code s}. */
    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (InvalidModelNameException e) {
            return false;
        }
    }

    /** This name with another tag. */
    public ModelName withTag(String newTag) {
        return new ModelName(host, namespace, model, newTag);
    }

    /**
     * Ollama's {@code DisplayShortest}, the {@code name}/{@code model} of {@code /api/tags}: {@code model:tag} on the
     * default host and namespace, {@code namespace/model:tag} on the default host, else {@code host/namespace/model:tag}.
     */
    public String displayShortest() {
        if (!host.equalsIgnoreCase(DEFAULT_HOST)) {
            return host + "/" + namespace + "/" + model + ":" + tag;
        }
        if (!namespace.equalsIgnoreCase(DEFAULT_NAMESPACE)) {
            return namespace + "/" + model + ":" + tag;
        }
        return model + ":" + tag;
    }

    /** Every part spelled out: {@code host/namespace/model:tag} (Ollama's {@code Name.String}). */
    public String displayLong() {
        return host + "/" + namespace + "/" + model + ":" + tag;
    }

    /** {@code namespace/model}, the repository path on a registry. */
    public String displayNamespaceModel() {
        return namespace + "/" + model;
    }

    /**
     * Where Ollama keeps this name's manifest: {@code root/manifests/host/namespace/model/tag}, in the case the name
     * is written in. Lookups that must ignore case go through {@link OllamaStore#find}.
     */
    public Path manifestPath(Path root) {
        return root.resolve("manifests").resolve(host).resolve(namespace).resolve(model).resolve(tag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelName(String h, String n, String m, String t)
                && host.equalsIgnoreCase(h)
                && namespace.equalsIgnoreCase(n)
                && model.equalsIgnoreCase(m)
                && tag.equalsIgnoreCase(t);
    }

    @Override
    public int hashCode() {
        return displayLong().toLowerCase(Locale.ROOT).hashCode();
    }

    @Override
    public String toString() {
        return displayLong();
    }

    /** The parts and their rules, from Ollama's {@code isValidPart}/{@code isValidLen}. */
    enum Part {
        HOST(350, true, true),
        NAMESPACE(80, false, false),
        MODEL(80, true, false),
        TAG(80, true, false);

        final int maxLength;
        final boolean allowsDot;
        final boolean allowsColon;

        Part(int maxLength, boolean allowsDot, boolean allowsColon) {
            this.maxLength = maxLength;
            this.allowsDot = allowsDot;
            this.allowsColon = allowsColon;
        }

        /** Null when {@code s} is a valid part of this kind, else why not. */
        String problem(String s) {
            if (s == null || s.isEmpty()) {
                return "is empty";
            }
            if (s.length() > maxLength) {
                return "is longer than " + maxLength + " characters";
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = isAlphanumericOrUnderscore(c)
                        || i > 0 && (c == '-' || c == '.' && allowsDot || c == ':' && allowsColon);
                if (!ok) {
                    return i == 0 ? "must start with a letter, digit or underscore" : "contains '" + c + "'";
                }
            }
            return null;
        }
    }

    private static void checkPart(Part part, String value, String display) {
        String problem = part.problem(value);
        if (problem != null) {
            String shown = value == null ? "null" : value.equals(MISSING) ? "" : value;
            throw new InvalidModelNameException(display, part.name().toLowerCase(Locale.ROOT) + " \"" + shown + "\" " + problem);
        }
    }

    private static boolean isAlphanumericOrUnderscore(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
    }

    /** Ollama's {@code MissingPart}: never valid, so a promised-but-empty part fails validation. */
    private static final String MISSING = "!MISSING!";

    private static String promised(String part) {
        return part.isEmpty() ? MISSING : part;
    }

    private static String orDefault(String part, String dflt) {
        return part == null || part.isEmpty() ? dflt : part;
    }
}
