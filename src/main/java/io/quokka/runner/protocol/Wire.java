package io.quokka.runner.protocol;

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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The runner channel's binary framing: one tag byte per message, then its fields with {@link DataOutputStream}
 * primitives (big-endian); strings as a length (-1 for null) and UTF-8 bytes, arrays as a length and elements.
 * Both ends are the same build of the same binary, so there is no versioning. Writers flush after each message
 * (a token must reach the client now, not when a buffer fills). Events (runner to server) are framed with their
 * length first, so the server can take them off a non-blocking channel whole; commands are read blocking.
 */
public final class Wire {
    private Wire() {}

    // Command tags
    private static final byte PING = 1, TOKENIZE = 2, APPLY_TEMPLATE = 3, GENERATE = 4, CANCEL = 5, SHUTDOWN = 6;
    // Event tags
    private static final byte READY = 64, LOAD_FAILED = 65, PONG = 66, TOKENS = 67, TEXT = 68, PIECE = 69,
            DONE = 70, FAILED = 71;
    // Embeddings (tags kept apart from the ones above so that other additions do not collide)
    private static final byte EMBED = 32, EMBEDDINGS = 96;

    public static void write(DataOutputStream out, Command command) throws IOException {
        switch (command) {
            case Command.Ping(long id) -> {
                out.writeByte(PING);
                out.writeLong(id);
            }
            case Command.Tokenize(long id, String text, boolean addSpecial) -> {
                out.writeByte(TOKENIZE);
                out.writeLong(id);
                writeString(out, text);
                out.writeBoolean(addSpecial);
            }
            case Command.ApplyTemplate(long id, String template, List<ChatMessage> messages, boolean prefix) -> {
                out.writeByte(APPLY_TEMPLATE);
                out.writeLong(id);
                writeString(out, template);
                out.writeInt(messages.size());
                for (ChatMessage m : messages) {
                    writeString(out, m.role());
                    writeString(out, m.content());
                }
                out.writeBoolean(prefix);
            }
            case Command.Generate(long id, GenerationRequest r) -> {
                out.writeByte(GENERATE);
                out.writeLong(id);
                writeInts(out, r.context());
                writeString(out, r.prompt());
                SamplingParams s = r.sampling();
                out.writeFloat(s.temperature());
                out.writeInt(s.topK());
                out.writeFloat(s.topP());
                out.writeFloat(s.minP());
                out.writeFloat(s.typicalP());
                out.writeFloat(s.repeatPenalty());
                out.writeInt(s.repeatLastN());
                out.writeFloat(s.presencePenalty());
                out.writeFloat(s.frequencyPenalty());
                out.writeLong(s.seed());
                out.writeInt(r.numPredict());
                out.writeInt(r.numKeep());
                out.writeInt(r.stops().size());
                for (String stop : r.stops()) writeString(out, stop);
                writeString(out, r.grammar());
            }
            case Command.Cancel(long id) -> {
                out.writeByte(CANCEL);
                out.writeLong(id);
            }
            case Command.Shutdown() -> out.writeByte(SHUTDOWN);
            case Command.Embed(long id, List<String> inputs, boolean truncate) -> {
                out.writeByte(EMBED);
                out.writeLong(id);
                out.writeInt(inputs.size());
                for (String input : inputs) writeString(out, input);
                out.writeBoolean(truncate);
            }
        }
        out.flush();
    }

    /** Reads the next command; {@link EOFException} when the server closed the channel. */
    public static Command readCommand(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case PING -> new Command.Ping(in.readLong());
            case TOKENIZE -> new Command.Tokenize(in.readLong(), readString(in), in.readBoolean());
            case APPLY_TEMPLATE -> {
                long id = in.readLong();
                String template = readString(in);
                int n = in.readInt();
                List<ChatMessage> messages = new ArrayList<>(n);
                for (int i = 0; i < n; i++) messages.add(new ChatMessage(readString(in), readString(in)));
                yield new Command.ApplyTemplate(id, template, messages, in.readBoolean());
            }
            case GENERATE -> {
                long id = in.readLong();
                int[] context = readInts(in);
                String prompt = readString(in);
                SamplingParams s = new SamplingParams(in.readFloat(), in.readInt(), in.readFloat(), in.readFloat(),
                        in.readFloat(), in.readFloat(), in.readInt(), in.readFloat(), in.readFloat(), in.readLong());
                int numPredict = in.readInt();
                int numKeep = in.readInt();
                int n = in.readInt();
                List<String> stops = new ArrayList<>(n);
                for (int i = 0; i < n; i++) stops.add(readString(in));
                String grammar = readString(in);
                yield new Command.Generate(id,
                        new GenerationRequest(context, prompt, s, numPredict, numKeep, stops, grammar));
            }
            case CANCEL -> new Command.Cancel(in.readLong());
            case SHUTDOWN -> new Command.Shutdown();
            case EMBED -> {
                long id = in.readLong();
                int n = checkedLength(in.readInt());
                List<String> inputs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) inputs.add(readString(in));
                yield new Command.Embed(id, inputs, in.readBoolean());
            }
            default -> throw new IOException("unknown command tag " + tag);
        };
    }

    /**
     * Writes one event as a frame: its length, then its body. The length lets the server read events without
     * blocking (on an event loop, a frame at a time as its bytes arrive).
     */
    public static void write(DataOutputStream out, Event event) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        writeBody(new DataOutputStream(body), event);
        out.writeInt(body.size());
        body.writeTo(out);
        out.flush();
    }

    private static void writeBody(DataOutputStream out, Event event) throws IOException {
        switch (event) {
            case Event.Ready(int ctx, int trained, int vocab, String template) -> {
                out.writeByte(READY);
                out.writeInt(ctx);
                out.writeInt(trained);
                out.writeInt(vocab);
                writeString(out, template);
            }
            case Event.LoadFailed(String message) -> {
                out.writeByte(LOAD_FAILED);
                writeString(out, message);
            }
            case Event.Pong(long id) -> {
                out.writeByte(PONG);
                out.writeLong(id);
            }
            case Event.Tokens(long id, int[] tokens) -> {
                out.writeByte(TOKENS);
                out.writeLong(id);
                writeInts(out, tokens);
            }
            case Event.Text(long id, String text) -> {
                out.writeByte(TEXT);
                out.writeLong(id);
                writeString(out, text);
            }
            case Event.Piece(long id, String text) -> {
                out.writeByte(PIECE);
                out.writeLong(id);
                writeString(out, text);
            }
            case Event.Done(long id, GenerationResult r) -> {
                out.writeByte(DONE);
                out.writeLong(id);
                out.writeByte(r.doneReason().ordinal());
                out.writeInt(r.promptEvalCount());
                out.writeLong(r.promptEvalNanos());
                out.writeInt(r.evalCount());
                out.writeLong(r.evalNanos());
                writeInts(out, r.context());
            }
            case Event.Embeddings(long id, float[][] vectors, int promptEvalCount, long promptEvalNanos) -> {
                out.writeByte(EMBEDDINGS);
                out.writeLong(id);
                out.writeInt(vectors.length);
                for (float[] v : vectors) {
                    out.writeInt(v.length);
                    for (float f : v) out.writeFloat(f);
                }
                out.writeInt(promptEvalCount);
                out.writeLong(promptEvalNanos);
            }
            case Event.Failed(long id, EngineException.Kind kind, String message) -> {
                out.writeByte(FAILED);
                out.writeLong(id);
                out.writeByte(kind.ordinal());
                writeString(out, message);
            }
        }
    }

    /** Reads the next event frame; {@link EOFException} when the runner closed the channel (or died). */
    public static Event readEvent(DataInputStream in) throws IOException {
        byte[] body = new byte[frameLength(in.readInt())];
        in.readFully(body);
        return decodeEvent(body);
    }

    /** A frame's length, checked: a corrupted stream must not make us allocate gigabytes. */
    public static int frameLength(int n) throws IOException {
        return checkedLength(n);
    }

    /** Decodes one event frame's body. */
    public static Event decodeEvent(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
        byte tag = in.readByte();
        return switch (tag) {
            case READY -> new Event.Ready(in.readInt(), in.readInt(), in.readInt(), readString(in));
            case LOAD_FAILED -> new Event.LoadFailed(readString(in));
            case PONG -> new Event.Pong(in.readLong());
            case TOKENS -> new Event.Tokens(in.readLong(), readInts(in));
            case TEXT -> new Event.Text(in.readLong(), readString(in));
            case PIECE -> new Event.Piece(in.readLong(), readString(in));
            case DONE -> new Event.Done(in.readLong(), new GenerationResult(DoneReason.values()[in.readByte()],
                    in.readInt(), in.readLong(), in.readInt(), in.readLong(), readInts(in)));
            case FAILED -> new Event.Failed(in.readLong(), EngineException.Kind.values()[in.readByte()],
                    readString(in));
            case EMBEDDINGS -> {
                long id = in.readLong();
                float[][] vectors = new float[checkedLength(in.readInt())][];
                for (int i = 0; i < vectors.length; i++) {
                    vectors[i] = new float[checkedLength(in.readInt())];
                    for (int j = 0; j < vectors[i].length; j++) vectors[i][j] = in.readFloat();
                }
                yield new Event.Embeddings(id, vectors, in.readInt(), in.readLong());
            }
            default -> throw new IOException("unknown event tag " + tag);
        };
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] bytes = new byte[checkedLength(n)];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeInts(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        for (int v : values) out.writeInt(v);
    }

    private static int[] readInts(DataInputStream in) throws IOException {
        int[] values = new int[checkedLength(in.readInt())];
        for (int i = 0; i < values.length; i++) values[i] = in.readInt();
        return values;
    }

    // A corrupted stream must not make us allocate gigabytes.
    private static int checkedLength(int n) throws IOException {
        if (n < 0 || n > 256 << 20) throw new IOException("implausible length " + n + " on the runner channel");
        return n;
    }
}
