package io.quokka.pull;

import io.quokka.store.Digest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One blob to fetch.
 *
 * @param url    where it is served (redirects are followed)
 * @param digest what it must hash to; null when not known in advance (a direct URL: it is named by its hash after)
 * @param size   its length in bytes
 * @param label  what progress calls it: the digest's first 12 hex digits, else the file name
 */
record BlobSource(URI url, Digest digest, long size, String label) {

    BlobSource {
        Objects.requireNonNull(url, "url");
        if (size < 0) throw new IllegalArgumentException("size " + size + " is negative");
    }

    static BlobSource of(URI url, Digest digest, long size) {
        return new BlobSource(url, digest, size, digest.hex().substring(0, 12));
    }

    /**
     * The download's name under {@code blobs/}, before {@code -partial}: the blob's own name when the digest is known
     * (Ollama's {@code sha256-<hex>-partial}, so either program resumes the other's download), else one derived
     * from the URL that is not a digest, so it can never be taken for a blob.
     */
    String key() {
        if (digest != null) return digest.fileName();
        return "download-" + Digest.of(url.toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 24);
    }

    /** The {@code digest} field of progress lines: {@code sha256:<hex>}, or null. */
    String digestText() {
        return digest == null ? null : digest.toString();
    }
}
