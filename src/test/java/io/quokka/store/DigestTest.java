package io.quokka.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {

    static final String HEX = "6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";

    @Test
    void parsesBothForms() {
        assertEquals(new Digest(HEX), Digest.parse("sha256:" + HEX));
        assertEquals(new Digest(HEX), Digest.parse("sha256-" + HEX));
        assertEquals(new Digest(HEX), Digest.parse("sha256:" + HEX.toUpperCase()));
        assertEquals("sha256:" + HEX, Digest.parse("sha256-" + HEX).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256:", "sha256:abc", "sha512:" + HEX, HEX, "sha256:" + HEX + "0",
        "sha256:../../" + HEX, "sha256-" + HEX + "-partial", " sha256:" + HEX,
        "sha256:g746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa"})
    void rejects(String s) {
        var e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(s));
        assertEquals("invalid digest format", e.getMessage());
    }

    @Test
    void blobPath() {
        assertEquals(Path.of("/m/blobs/sha256-" + HEX), Digest.parse("sha256:" + HEX).blobPath(Path.of("/m")));
    }

    @Test
    void hashesBytes() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Digest.of(new byte[0]).toString());
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digest.of("hello".getBytes(StandardCharsets.UTF_8)).toString());
    }
}
