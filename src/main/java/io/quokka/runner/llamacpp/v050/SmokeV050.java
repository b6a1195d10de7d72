package io.quokka.runner.llamacpp.v050;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.runner.llamacpp.EngineDir;
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
        try {
            LlamaV050 llama = LlamaV050.open(dir);
            System.out.println("engine: " + dir);
            System.out.println("system_info: " + llama.systemInfo().strip());
            Result r = generate(llama, model, prompt, n, threads, poll);
            System.out.println("prompt_tokens: " + join(r.promptTokens()));
            System.out.println("tokens: " + r.generated().stream().map(String::valueOf).collect(Collectors.joining(",")));
            System.out.println("text_base64: " + Base64.getEncoder().encodeToString(r.text().getBytes(StandardCharsets.UTF_8)));
            System.out.println("replay_first_token: " + r.replayFirstToken());
            System.out.println("chat_template_length: " + r.chatTemplateLength());
            System.out.println("load_ms: " + r.loadNanos() / 1_000_000);
            System.out.println("prompt_ms: " + r.promptNanos() / 1_000_000);
            System.out.println("generate_ms: " + r.generateNanos() / 1_000_000);
            System.out.println("done: ok");
            System.out.flush();
            // a loaded llama.cpp keeps native threads; end the process without running C++ static destructors
            Runtime.getRuntime().halt(0);
        } catch (RuntimeException e) {
            System.out.println("error: " + e);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    /**
     * Loads {@code model}, generates up to {@code n} tokens greedily after {@code prompt}, frees everything. A
     * {@code poll} of 0..100 attaches a thread pool with that polling level; -1 leaves llama.cpp's default.
     */
    public static Result generate(LlamaV050 llama, Path model, String prompt, int n, int threads, int poll) {
        try (Arena arena = Arena.ofConfined()) {
            long t0 = System.nanoTime();
            MemorySegment mp = llama.modelDefaultParams(arena);
            LayoutsV050.MP_N_GPU_LAYERS.set(mp, 0L, 0);
            MemorySegment m = llama.modelLoadFromFile(arena.allocateFrom(model.toAbsolutePath().toString()), mp);
            if (m.equals(MemorySegment.NULL)) throw new IllegalStateException("llama.cpp could not load " + model);
            MemorySegment ctx = MemorySegment.NULL;
            MemorySegment chain = MemorySegment.NULL;
            try {
                MemorySegment cp = llama.contextDefaultParams(arena);
                LayoutsV050.CP_N_CTX.set(cp, 0L, 256);
                LayoutsV050.CP_N_BATCH.set(cp, 0L, 256);
                LayoutsV050.CP_N_UBATCH.set(cp, 0L, 256);
                LayoutsV050.CP_N_SEQ_MAX.set(cp, 0L, 1);
                LayoutsV050.CP_N_THREADS.set(cp, 0L, threads);
                LayoutsV050.CP_N_THREADS_BATCH.set(cp, 0L, threads);
                LayoutsV050.CP_FLASH_ATTN_TYPE.set(cp, 0L, LayoutsV050.FLASH_ATTN_DISABLED);
                ctx = llama.initFromModel(m, cp);
                if (ctx.equals(MemorySegment.NULL)) throw new IllegalStateException("llama.cpp could not create a context");
                if (poll >= 0 && !llama.attachThreadpool(ctx, threads, poll)) {
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
                int rc = llama.decode(ctx, llama.batchGetOne(arena, tokens, count));
                if (rc != 0) throw new IllegalStateException("llama_decode of the prompt returned " + rc);
                long t2 = System.nanoTime();

                chain = llama.samplerChainInit(llama.samplerChainDefaultParams(arena));
                llama.samplerChainAdd(chain, llama.samplerInitGreedy());
                List<Integer> out = new ArrayList<>();
                ByteArrayOutputStream textBytes = new ByteArrayOutputStream();
                MemorySegment one = arena.allocate(JAVA_INT);
                MemorySegment buf = arena.allocate(256);
                for (int i = 0; i < n; i++) {
                    int token = llama.samplerSample(chain, ctx, -1);
                    if (token < 0 || token >= nVocab) throw new IllegalStateException("sampled token " + token);
                    if (llama.vocabIsEog(vocab, token)) break;
                    out.add(token);
                    int len = llama.tokenToPiece(vocab, token, buf, (int) buf.byteSize(), 0, false);
                    if (len > 0) textBytes.writeBytes(buf.asSlice(0, len).toArray(JAVA_BYTE));
                    if (i == n - 1) break;
                    one.set(JAVA_INT, 0, token);
                    rc = llama.decode(ctx, llama.batchGetOne(arena, one, 1));
                    if (rc != 0) throw new IllegalStateException("llama_decode of a generated token returned " + rc);
                }
                long t3 = System.nanoTime();

                // Replay through more of the binding: empty the memory, decode the prompt again, and sample its
                // first token with a chain of penalties (neutral), top-k 1 and a seeded dist: the greedy token again.
                llama.memoryClear(llama.getMemory(ctx), true);
                rc = llama.decode(ctx, llama.batchGetOne(arena, tokens, count));
                if (rc != 0) throw new IllegalStateException("llama_decode of the replayed prompt returned " + rc);
                MemorySegment replay = llama.samplerChainInit(llama.samplerChainDefaultParams(arena));
                llama.samplerChainAdd(replay, llama.samplerInitPenalties(nVocab, 64, 1f, 0f, 0f));
                llama.samplerChainAdd(replay, llama.samplerInitTopK(1));
                llama.samplerChainAdd(replay, llama.samplerInitDist(42));
                int replayFirst = llama.samplerSample(replay, ctx, -1);
                llama.samplerFree(replay);

                // The model's chat template, rendered by llama.cpp for one user message (-1: a template it lacks)
                int rendered = -1;
                MemorySegment tmpl = llama.modelChatTemplate(m, MemorySegment.NULL);
                if (!tmpl.equals(MemorySegment.NULL)) {
                    MemorySegment msg = arena.allocate(LayoutsV050.CHAT_MESSAGE);
                    LayoutsV050.MSG_ROLE.set(msg, 0L, arena.allocateFrom("user"));
                    LayoutsV050.MSG_CONTENT.set(msg, 0L, arena.allocateFrom(prompt));
                    MemorySegment out2 = arena.allocate(4096);
                    rendered = llama.chatApplyTemplate(tmpl, msg, 1, true, out2, (int) out2.byteSize());
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

    private static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.toString();
    }
}
