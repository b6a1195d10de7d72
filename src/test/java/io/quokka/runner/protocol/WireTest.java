package io.quokka.runner.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quokka.engine.ChatMessage;
import io.quokka.engine.DoneReason;
import io.quokka.engine.EngineException;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.SamplingParams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {

    @Test
    void commandsRoundTrip() throws Exception {
        var request = new GenerationRequest(new int[] {1, 2, 3}, "héllo ✓", new SamplingParams(0.7f, 40, 0.9f, 0.05f,
                1f, 1.1f, 64, 0.5f, 0.25f, -1), 128, 4, List.of("\n\n", "</s>"), "root ::= \"x\"");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        Wire.write(out, new Command.Generate(7, request));
        Wire.write(out, new Command.ApplyTemplate(8, null, List.of(new ChatMessage("user", "hi")), true));
        Wire.write(out, new Command.Cancel(7));
        Wire.write(out, new Command.Shutdown());
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        var g = (Command.Generate) Wire.readCommand(in);
        assertEquals(7, g.id());
        assertArrayEquals(request.context(), g.request().context());
        assertEquals(request.prompt(), g.request().prompt());
        assertEquals(request.sampling(), g.request().sampling());
        assertEquals(request.stops(), g.request().stops());
        assertEquals(request.grammar(), g.request().grammar());
        assertEquals(new Command.ApplyTemplate(8, null, List.of(new ChatMessage("user", "hi")), true), Wire.readCommand(in));
        assertEquals(new Command.Cancel(7), Wire.readCommand(in));
        assertEquals(new Command.Shutdown(), Wire.readCommand(in));
        assertThrows(EOFException.class, () -> Wire.readCommand(in));
    }

    @Test
    void eventsRoundTrip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        var result = new GenerationResult(DoneReason.LENGTH, 5, 100, 3, 200, new int[] {1, 2, 3, 4, 5, 6, 7, 8});
        Wire.write(out, new Event.Ready(256, 2048, 512, null));
        Wire.write(out, new Event.Piece(3, "ü"));
        Wire.write(out, new Event.Done(3, result));
        Wire.write(out, new Event.Failed(4, EngineException.Kind.BAD_REQUEST, "no"));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(new Event.Ready(256, 2048, 512, null), Wire.readEvent(in));
        assertEquals(new Event.Piece(3, "ü"), Wire.readEvent(in));
        var done = (Event.Done) Wire.readEvent(in);
        assertEquals(result.doneReason(), done.result().doneReason());
        assertEquals(result.evalNanos(), done.result().evalNanos());
        assertArrayEquals(result.context(), done.result().context());
        assertEquals(new Event.Failed(4, EngineException.Kind.BAD_REQUEST, "no"), Wire.readEvent(in));
        // a truncated frame is an EOF, never a half message (the first frame: a length and 17 bytes)
        byte[] all = bytes.toByteArray();
        DataInputStream cut = new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(all, 21 + 10)));
        Wire.readEvent(cut);
        assertThrows(EOFException.class, () -> Wire.readEvent(cut));
    }
}
