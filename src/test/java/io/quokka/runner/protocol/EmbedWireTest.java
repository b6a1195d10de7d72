package io.quokka.runner.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedding messages on the runner channel. */
class EmbedWireTest {

    @Test
    void embedAndEmbeddingsRoundTrip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        Wire.write(out, new Command.Embed(9, List.of("héllo ✓", ""), false));
        float[][] vectors = {{0.5f, -1.25f, Float.MIN_VALUE}, {}};
        Wire.write(out, new Event.Embeddings(9, vectors, 17, 12345L));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(new Command.Embed(9, List.of("héllo ✓", ""), false), Wire.readCommand(in));
        var e = (Event.Embeddings) Wire.readEvent(in);
        assertEquals(9, e.id());
        assertEquals(2, e.vectors().length);
        assertArrayEquals(vectors[0], e.vectors()[0]);
        assertArrayEquals(vectors[1], e.vectors()[1]);
        assertEquals(17, e.promptEvalCount());
        assertEquals(12345L, e.promptEvalNanos());
        assertThrows(EOFException.class, () -> Wire.readEvent(in));
    }
}
