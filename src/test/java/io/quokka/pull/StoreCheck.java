package io.quokka.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Walks a store after a fault: every manifest parses and each of its blobs exists with the size and digest it
 * names; every file named like a blob hashes to its name; partial downloads are never named like a blob.
 */
public final class StoreCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreCheck() {}

    public static void assertConsistent(Path root) {
        try {
            Path manifests = root.resolve("manifests");
            if (Files.isDirectory(manifests)) {
                try (Stream<Path> s = Files.walk(manifests)) {
                    for (Path m : s.filter(Files::isRegularFile).toList()) {
                        assertEquals(4, manifests.relativize(m).getNameCount(), "stray file under manifests: " + m);
                        JsonNode node = JSON.readTree(Files.readAllBytes(m));
                        List<JsonNode> layers = new ArrayList<>();
                        node.path("layers").forEach(layers::add);
                        layers.add(node.path("config"));
                        for (JsonNode l : layers) {
                            Digest d = Digest.parse(l.path("digest").asText());
                            Path blob = d.blobPath(root);
                            assertTrue(Files.isRegularFile(blob), m + " names missing blob " + d);
                            assertEquals(l.path("size").asLong(), Files.size(blob), "size of " + d + " in " + m);
                        }
                    }
                }
            }
            Path blobs = root.resolve("blobs");
            if (Files.isDirectory(blobs)) {
                try (Stream<Path> s = Files.list(blobs)) {
                    for (Path b : s.toList()) {
                        String name = b.getFileName().toString();
                        if (name.matches("sha256-[0-9a-f]{64}")) {
                            assertEquals(Digest.parse(name), BlobDownloads.sha256(b), "blob " + name + " is corrupt");
                        }
                    }
                }
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /** The partial-download files of a blob (data and part records). */
    public static List<Path> partials(Path root, Digest digest) {
        try (Stream<Path> s = Files.list(root.resolve("blobs"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(digest.fileName() + "-partial")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
