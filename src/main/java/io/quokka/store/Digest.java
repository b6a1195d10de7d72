package io.quokka.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 hex>}: the name of a blob. Serialised to JSON as that string.
 *
 * @param hex the 64 lowercase hex digits of the SHA-256
 */
@RegisterForReflection
public record Digest(String hex) {

    /** Ollama's {@code ErrInvalidDigestFormat} text. */
    public static final String INVALID = "invalid digest format";

    // Ollama's BlobsPath pattern: both separators, either case of hex.
    private static final Pattern FORMAT = Pattern.compile("sha256[:-]([0-9a-fA-F]{64})");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException(INVALID);
        }
    }

    /**
     * Parses {@code sha256:<hex>} or the on-disk form {@code sha256-<hex>}; hex digits are normalised to lowercase.
     *
     * @throws IllegalArgumentException with Ollama's {@code invalid digest format}
     */
    @JsonCreator
    public static Digest parse(String s) {
        var m = s == null ? null : FORMAT.matcher(s);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(INVALID);
        }
        return new Digest(m.group(1).toLowerCase(Locale.ROOT));
    }

    /** The SHA-256 of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Where the blob lives: {@code root/blobs/sha256-<hex>}. */
    public Path blobPath(Path root) {
        return root.resolve("blobs").resolve(fileName());
    }

    /** The blob's file name, {@code sha256-<hex>}. */
    public String fileName() {
        return "sha256-" + hex;
    }

    /** {@code sha256:<hex>}, as in manifests and the API. */
    @JsonValue
    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
