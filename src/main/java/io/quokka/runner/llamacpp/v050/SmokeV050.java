package io.quokka.runner.llamacpp.v050;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.runner.llamacpp.EngineDir;
import io.quokka.runner.llamacpp.LlamaCpp;
import io.quokka.runner.llamacpp.LlamaLayouts;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A smoke run of llama.cpp v0.5.0 through {@link LlamaV050}: load the libraries, load a model, tokenize a prompt,
 * decode it, then sample greedily token by token. Run in a process of its own (the runner's way: a second llama.cpp
 * in the server's or a test's JVM would share its process with b4916's):
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... io.quokka.runner.llamacpp.v050.SmokeV050 MODEL [N [THREADS [PROMPT [POLL]]]]</pre>
 *
 * POLL (0..100) gives the context a thread pool with that polling level; without it llama.cpp's default pool is used.
 *
 * The engine directory comes from {@link EngineDir#resolve}. Prints {@code key: value} lines on stdout (the text in
 * base64, the token ids, timings); llama.cpp's own log goes to stderr. Exit status 0 when generation ran, 1 if not.
 */
public final class SmokeV050 {
    private SmokeV050() {}

    /** What a greedy run produced: prompt and generated token ids, the text, and wall-clock times. */
    public record Result(int[] promptTokens, List<Integer> generated, String text, long loadNanos, long promptNanos,
            long generateNanos, int replayFirstToken, int chatTemplateLength) {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: SmokeV050 MODEL [N [THREADS [PROMPT]]]");
            System.exit(64);
        }
        Path model = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String prompt = args.length > 3 ? args[3] : "Hello";
        int poll = args.length > 4 ? Integer.parseInt(args[4]) : -1;
        Path dir = EngineDir.resolve(System.getenv()).orElse(null);
        if (dir == null) {
            System.out.println("engine: none");
            System.out.flush();
            System.exit(1);
        }
        printAndHalt(() -> {
            LlamaV050 llama = LlamaV050.open(dir);
            System.out.println("engine: " + dir);
            System.out.println("system_info: " + llama.systemInfo().strip());
            return generate(llama, model, prompt, n, threads, poll);
        });
    }

    /**
     * Prints what {@code run} produced and ends the process: status 0 after "done: ok", or 1 after its error. A
     * loaded llama.cpp keeps native threads; the process ends without running C++ static destructors.
     */
    public static void printAndHalt(java.util.function.Supplier<Result> run) {
        try {
            print(run.get());
            System.out.println("done: ok");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        } catch (RuntimeException e) {
            System.out.println("error: " + e);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    /** Prints {@code r} as {@code key: value} lines (the text in base64). */
    public static void print(Result r) {
        System.out.println("prompt_tokens: " + join(r.promptTokens()));
        System.out.println("tokens: " + r.generated().stream().map(String::valueOf).collect(Collectors.joining(",")));
        System.out.println("text_base64: " + Base64.getEncoder().encodeToString(r.text().getBytes(StandardCharsets.UTF_8)));
        System.out.println("replay_first_token: " + r.replayFirstToken());
        System.out.println("chat_template_length: " + r.chatTemplateLength());
        System.out.println("load_ms: " + r.loadNanos() / 1_000_000);
        System.out.println("prompt_ms: " + r.promptNanos() / 1_000_000);
        System.out.println("generate_ms: " + r.generateNanos() / 1_000_000);
    }

    /**
     * Loads {@code model}, generates up to {@code n} tokens greedily after {@code prompt}, frees everything; through
     * the runner's binding of either release. A {@code poll} of 0..100 attaches a thread pool with that polling level
     * (v0.5.0 only); -1 leaves llama.cpp's default.
     */
    public static Result generate(LlamaCpp llama, Path model, String prompt, int n, int threads, int poll) {
        try (Arena arena = Arena.ofConfined()) {
            long t0 = System.nanoTime();
            MemorySegment m = llama.loadModel(model.toAbsolutePath().toString(), true, false);
            if (m.equals(MemorySegment.NULL)) throw new IllegalStateException("llama.cpp could not load " + model);
            MemorySegment ctx = MemorySegment.NULL;
            MemorySegment chain = MemorySegment.NULL;
            try {
                ctx = llama.newContext(m, new LlamaCpp.ContextSettings(256, 256, 1, threads, false, 1,
                        MemorySegment.NULL));
                if (ctx.equals(MemorySegment.NULL)) throw new IllegalStateException("llama.cpp could not create a context");
                if (poll >= 0 && !(llama instanceof LlamaV050 v && v.attachThreadpool(ctx, threads, poll))) {
                    throw new IllegalStateException("the CPU backend offers no ggml_threadpool_new");
                }
                MemorySegment vocab = llama.modelGetVocab(m);
                int nVocab = llama.vocabNTokens(vocab);
                long t1 = System.nanoTime();

                byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
                MemorySegment text = arena.allocate(bytes.length + 1L);
                MemorySegment.copy(bytes, 0, text, JAVA_BYTE, 0, bytes.length);
                int max = bytes.length + 8;
                MemorySegment tokens = arena.allocate(JAVA_INT, max);
                int count = llama.tokenize(vocab, text, bytes.length, tokens, max, true, false);
                if (count <= 0) throw new IllegalStateException("tokenize returned " + count);
                int[] promptTokens = tokens.asSlice(0, count * 4L).toArray(JAVA_INT);
                SequenceBatch batch = new SequenceBatch(arena, count);
                int rc = llama.decode(ctx, batch.of(promptTokens, 0));
                if (rc != 0) throw new IllegalStateException("llama_decode of the prompt returned " + rc);
                long t2 = System.nanoTime();

                chain = llama.samplerChainInit(llama.samplerChainDefaultParams(arena));
                llama.samplerChainAdd(chain, llama.samplerInitGreedy());
                List<Integer> out = new ArrayList<>();
                ByteArrayOutputStream textBytes = new ByteArrayOutputStream();
                MemorySegment buf = arena.allocate(256);
                for (int i = 0; i < n; i++) {
                    int token = llama.samplerSample(chain, ctx, -1);
                    if (token < 0 || token >= nVocab) throw new IllegalStateException("sampled token " + token);
                    if (llama.vocabIsEog(vocab, token)) break;
                    out.add(token);
                    int len = llama.tokenToPiece(vocab, token, buf, (int) buf.byteSize(), 0, false);
                    if (len > 0) textBytes.writeBytes(buf.asSlice(0, len).toArray(JAVA_BYTE));
                    if (i == n - 1) break;
                    rc = llama.decode(ctx, batch.of(new int[] {token}, count + i));
                    if (rc != 0) throw new IllegalStateException("llama_decode of a generated token returned " + rc);
                }
                long t3 = System.nanoTime();

                // Replay through more of the binding: empty the memory, decode the prompt again, and sample its
                // first token with a chain of penalties (neutral), top-k 1 and a seeded dist: the greedy token again.
                llama.memoryClear(ctx);
                rc = llama.decode(ctx, batch.of(promptTokens, 0));
                if (rc != 0) throw new IllegalStateException("llama_decode of the replayed prompt returned " + rc);
                MemorySegment replay = llama.samplerChainInit(llama.samplerChainDefaultParams(arena));
                llama.samplerChainAdd(replay, llama.samplerInitPenalties(nVocab, 64, 1f, 0f, 0f));
                llama.samplerChainAdd(replay, llama.samplerInitTopK(1));
                llama.samplerChainAdd(replay, llama.samplerInitDist(42));
                int replayFirst = llama.samplerSample(replay, ctx, -1);
                llama.samplerFree(replay);

                // The model's chat template, rendered by llama.cpp for one user message (-1: a template it lacks)
                int rendered = -1;
                String template = llama.modelChatTemplate(m);
                if (template != null) {
                    MemorySegment msg = arena.allocate(LlamaLayouts.CHAT_MESSAGE);
                    LlamaLayouts.MSG_ROLE.set(msg, 0L, arena.allocateFrom("user"));
                    LlamaLayouts.MSG_CONTENT.set(msg, 0L, arena.allocateFrom(prompt));
                    MemorySegment out2 = arena.allocate(4096);
                    rendered = llama.chatApplyTemplate(arena.allocateFrom(template), msg, 1, true, out2,
                            (int) out2.byteSize());
                }
                return new Result(promptTokens, out, textBytes.toString(StandardCharsets.UTF_8), t1 - t0, t2 - t1,
                        t3 - t2, replayFirst, rendered);
            } finally {
                if (!chain.equals(MemorySegment.NULL)) llama.samplerFree(chain);
                if (!ctx.equals(MemorySegment.NULL)) llama.free(ctx);
                llama.modelFree(m);
            }
        }
    }

    /** A {@code llama_batch} of up to {@code capacity} tokens of sequence 0, logits for the last one only. */
    private static final class SequenceBatch {
        private final MemorySegment batch, tokens, pos, nSeqId, seqId, logits;

        SequenceBatch(Arena arena, int capacity) {
            batch = arena.allocate(LlamaLayouts.BATCH);
            tokens = arena.allocate(JAVA_INT, capacity);
            pos = arena.allocate(JAVA_INT, capacity);
            nSeqId = arena.allocate(JAVA_INT, capacity);
            seqId = arena.allocate(ADDRESS, capacity);
            logits = arena.allocate(JAVA_BYTE, capacity);
            MemorySegment seq0 = arena.allocateFrom(JAVA_INT, 0);
            for (int i = 0; i < capacity; i++) {
                nSeqId.setAtIndex(JAVA_INT, i, 1);
                seqId.setAtIndex(ADDRESS, i, seq0);
            }
            LlamaLayouts.BATCH_TOKEN.set(batch, 0L, tokens);
            LlamaLayouts.BATCH_EMBD.set(batch, 0L, MemorySegment.NULL);
            LlamaLayouts.BATCH_POS.set(batch, 0L, pos);
            LlamaLayouts.BATCH_N_SEQ_ID.set(batch, 0L, nSeqId);
            LlamaLayouts.BATCH_SEQ_ID.set(batch, 0L, seqId);
            LlamaLayouts.BATCH_LOGITS.set(batch, 0L, logits);
        }

        MemorySegment of(int[] ids, int firstPos) {
            for (int i = 0; i < ids.length; i++) {
                tokens.setAtIndex(JAVA_INT, i, ids[i]);
                pos.setAtIndex(JAVA_INT, i, firstPos + i);
                logits.set(JAVA_BYTE, i, (byte) (i == ids.length - 1 ? 1 : 0));
            }
            LlamaLayouts.BATCH_N_TOKENS.set(batch, 0L, ids.length);
            return batch;
        }
    }

    private static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.toString();
    }
}
