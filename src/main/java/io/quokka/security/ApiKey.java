package io.quokka.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The optional shared secret. Compares in constant time: both sides are hashed first, so neither the key's content
 * nor its length shows in the comparison's timing. The key itself is kept only as its hash and never printed.
 */
final class ApiKey {
    private static final String BEARER = "bearer ";

    private final byte[] hash;

    ApiKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("an API key must not be empty");
        this.hash = sha256(key);
    }

    /** True when {@code authorization} (the header as sent, may be null) is {@code Bearer <key>}. */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() < BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            MessageDigest.isEqual(hash, sha256("")); // same work on every path
            return false;
        }
        String presented = authorization.substring(BEARER.length()).strip();
        return MessageDigest.isEqual(hash, sha256(presented));
    }

    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
