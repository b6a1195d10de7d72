package io.quokka.pull;

import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What a pull fetches, parsed from the name a client gives:
 * <ul>
 *   <li>{@code [scheme://][host[:port]/][namespace/]model[:tag]} — an Ollama-protocol registry, the host being the
 *       first part of the name (default {@code registry.ollama.ai}, https; {@code http} only with {@code insecure});</li>
 *   <li>{@code hf.co/<user>/<repo>[:<quant>]} or {@code huggingface.co/...} — a GGUF file of a Hugging Face
 *       repository, chosen from its listing;</li>
 *   <li>{@code https://.../<file>.gguf} — one GGUF file at a URL.</li>
 * </ul>
 */
public sealed interface PullTarget {

    /** The name the model is stored under. */
    ModelName name();

    /**
     * A model on an Ollama-protocol registry.
     *
     * @param name the model, stored under this name
     * @param base where the registry answers, {@code scheme://host[:port]}
     */
    record Registry(ModelName name, URI base) implements PullTarget {}

    /**
     * A GGUF file of a Hugging Face repository.
     *
     * @param name  stored as {@code hf.co/<user>/<repo>:<quant>} ({@code latest} when no quant was asked)
     * @param user  the repository's owner
     * @param repo  the repository
     * @param quant the quantization asked for, empty for the default
     */
    record HuggingFace(ModelName name, String user, String repo, String quant) implements PullTarget {}

    /**
     * One GGUF file at a URL, stored as {@code <host>/<first path segment>/<file name without .gguf>:latest}.
     *
     * @param name where it is stored
     * @param url  the file
     */
    record DirectUrl(ModelName name, URI url) implements PullTarget {}

    /**
     * Parses a pull request's model name.
     *
     * @param insecure the request's {@code insecure}: plain http is allowed (and an https name is fetched over http,
     *                 as Ollama does)
     * @throws PullException {@code INVALID_REQUEST} ("invalid model name") or {@code FAILED} ("insecure protocol http")
     */
    static PullTarget parse(String raw, boolean insecure) {
        String s = raw == null ? "" : raw.strip();
        if (s.isEmpty()) throw invalid();
        String lower = s.toLowerCase(Locale.ROOT);
        String scheme = "https";
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = lower.substring(0, sep);
            if (!scheme.equals("http") && !scheme.equals("https")) throw invalid();
            if (scheme.equals("http") && !insecure) throw PullException.failed("insecure protocol http");
            if (isGgufUrl(s)) return direct(s, insecure);
            s = s.substring(sep + 3);
        }
        ModelName name;
        try {
            name = ModelName.parse(s);
        } catch (InvalidModelNameException e) {
            throw invalid();
        }
        String host = name.host().toLowerCase(Locale.ROOT);
        if (host.equals("hf.co") || host.equals("huggingface.co")) {
            String quant = name.tag().equalsIgnoreCase(ModelName.DEFAULT_TAG) ? "" : name.tag();
            return new HuggingFace(name, name.namespace(), name.model(), quant);
        }
        return new Registry(name, URI.create((insecure ? "http" : scheme) + "://" + name.host()));
    }

    private static boolean isGgufUrl(String s) {
        try {
            String path = new URI(s).getPath();
            return path != null && path.toLowerCase(Locale.ROOT).endsWith(".gguf");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static DirectUrl direct(String s, boolean insecure) {
        URI url = URI.create(s);
        if (insecure && url.getScheme().equalsIgnoreCase("https")) {
            url = URI.create("http" + s.substring(s.indexOf("://")));
        }
        String[] segments = url.getPath().replaceFirst("^/+", "").split("/");
        String file = segments[segments.length - 1];
        String model = sanitize(file.substring(0, file.length() - ".gguf".length()));
        String namespace = segments.length > 1 ? sanitize(segments[0]).replace('.', '_') : ModelName.DEFAULT_NAMESPACE;
        String host = url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
        try {
            return new DirectUrl(new ModelName(host, namespace, model, ModelName.DEFAULT_TAG), url);
        } catch (InvalidModelNameException e) {
            throw invalid();
        }
    }

    /** A path segment as a name part: characters a name may not hold become {@code _}. */
    private static String sanitize(String part) {
        String s = part.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) && s.charAt(0) != '_') s = "_" + s;
        return s.length() > 80 ? s.substring(0, 80) : s;
    }

    private static PullException invalid() {
        return new PullException(PullException.Kind.INVALID_REQUEST, InvalidModelNameException.MESSAGE);
    }
}
