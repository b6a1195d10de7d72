package io.quokka.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.store.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Picks the GGUF file of a Hugging Face repository that {@code hf.co/<user>/<repo>[:<quant>]} means, from the
 * repository listing ({@code GET <endpoint>/api/models/<user>/<repo>?blobs=true}, whose {@code siblings} carry each
 * file's size and LFS sha256): the file whose name holds the quantization as a word, ignoring case; without one,
 * {@code Q4_K_M} as Ollama and llama.cpp default to, else the first of a few common ones, else the first GGUF.
 * Projector files ({@code mmproj}) and split GGUFs ({@code -00001-of-00003}) are not models that fit one blob.
 */
final class HuggingFaceResolver {
    static final List<String> DEFAULT_QUANTS = List.of("Q4_K_M", "Q4_K_S", "Q4_0", "Q5_K_M", "Q8_0");
    private static final Pattern SPLIT = Pattern.compile("(?i).*-\\d{5}-of-\\d{5}\\.gguf$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A file chosen from the listing.
     *
     * @param path   its path in the repository
     * @param size   its size in bytes
     * @param sha256 its LFS sha256, when the listing gives one
     */
    record RepoFile(String path, long size, Optional<Digest> sha256) {}

    private final URI endpoint;
    private final RegistryHttp http;

    HuggingFaceResolver(URI endpoint, RegistryHttp http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    /** The blob to fetch for the target. */
    BlobSource resolve(PullTarget.HuggingFace target) throws IOException {
        URI listing = URI.create(endpoint + "/api/models/" + segment(target.user()) + "/" + segment(target.repo())
                + "?blobs=true");
        byte[] body;
        try {
            body = http.getBytes(listing, Map.of("Accept", "application/json"));
        } catch (RegistryHttp.StatusException e) {
            // Hugging Face answers 401 for a repository that does not exist (or is private): Ollama's "not found".
            if (e.status == 401 || e.status == 404) throw new RegistryHttp.StatusException(404, "");
            throw e;
        }
        RepoFile file = choose(files(JSON.readTree(body)), target.quant(), target.user() + "/" + target.repo());
        URI url = URI.create(endpoint + "/" + segment(target.user()) + "/" + segment(target.repo()) + "/resolve/main/"
                + Arrays.stream(file.path().split("/")).map(HuggingFaceResolver::segment).collect(Collectors.joining("/")));
        return file.sha256().map(d -> BlobSource.of(url, d, file.size()))
                .orElseGet(() -> new BlobSource(url, null, file.size(), fileName(file.path())));
    }

    static List<RepoFile> files(JsonNode listing) {
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode s : listing.path("siblings")) {
            String path = s.path("rfilename").asText("");
            if (path.isEmpty()) continue;
            JsonNode lfs = s.path("lfs");
            long size = s.path("size").asLong(lfs.path("size").asLong(-1));
            Optional<Digest> sha = Optional.empty();
            String hex = lfs.path("sha256").asText(lfs.path("oid").asText(""));
            if (hex.matches("[0-9a-fA-F]{64}")) sha = Optional.of(new Digest(hex.toLowerCase(Locale.ROOT)));
            files.add(new RepoFile(path, size, sha));
        }
        return files;
    }

    /** The GGUF {@code quant} names (empty: the default), or a {@link PullException} saying what there is. */
    static RepoFile choose(List<RepoFile> files, String quant, String repo) {
        List<RepoFile> ggufs = files.stream()
                .filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                .filter(f -> !fileName(f.path()).toLowerCase(Locale.ROOT).contains("mmproj"))
                .sorted(Comparator.comparing((RepoFile f) -> f.path().length()).thenComparing(RepoFile::path))
                .toList();
        List<RepoFile> whole = ggufs.stream().filter(f -> !SPLIT.matcher(f.path()).matches()).toList();
        if (whole.isEmpty()) {
            throw PullException.failed(ggufs.isEmpty()
                    ? "pull model manifest: " + repo + " has no GGUF file"
                    : "pull model manifest: the GGUF files of " + repo + " are split into parts, which cannot be pulled yet");
        }
        if (!quant.isEmpty()) {
            return find(whole, quant).orElseThrow(() -> PullException.failed("pull model manifest: " + repo
                    + " has no GGUF file for quantization '" + quant + "'; it has: " + whole.stream()
                    .map(f -> fileName(f.path())).collect(Collectors.joining(", "))));
        }
        for (String q : DEFAULT_QUANTS) {
            Optional<RepoFile> f = find(whole, q);
            if (f.isPresent()) return f.get();
        }
        return whole.getFirst();
    }

    private static Optional<RepoFile> find(List<RepoFile> files, String quant) {
        Pattern word = Pattern.compile("(?i)(^|[^A-Za-z0-9])" + Pattern.quote(quant) + "([^A-Za-z0-9_]|$)");
        return files.stream().filter(f -> {
            String name = fileName(f.path());
            return word.matcher(name.substring(0, name.length() - ".gguf".length())).find();
        }).findFirst();
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
