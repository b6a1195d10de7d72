package io.quokka.runner.llamacpp.v050;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.runner.llamacpp.Llama;
import io.quokka.runner.llamacpp.LlamaLayouts;
import io.quokka.runner.llamacpp.NativeLibrary;
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
 * The same greedy loop as {@link SmokeV050}, on llama.cpp b4916 through the production binding {@link Llama}, for
 * side-by-side comparisons (same output format). Args: NATIVE_DIR MODEL [N [THREADS [PROMPT]]].
 */
public final class SmokeB4916 {
    private SmokeB4916() {}

    public static void main(String[] args) {
        Path model = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        String prompt = args.length > 4 ? args[4] : "Hello";
        try (Arena arena = Arena.ofConfined()) {
            Llama llama = Llama.open(NativeLibrary.extract(Path.of(args[0])));
            long t0 = System.nanoTime();
            MemorySegment mp = llama.modelDefaultParams(arena);
            LlamaLayouts.MP_N_GPU_LAYERS.set(mp, 0L, 0);
            MemorySegment m = llama.modelLoadFromFile(arena.allocateFrom(model.toAbsolutePath().toString()), mp);
            if (m.equals(MemorySegment.NULL)) throw new IllegalStateException("could not load " + model);
            MemorySegment cp = llama.contextDefaultParams(arena);
            LlamaLayouts.CP_N_CTX.set(cp, 0L, 256);
            LlamaLayouts.CP_N_BATCH.set(cp, 0L, 256);
            LlamaLayouts.CP_N_UBATCH.set(cp, 0L, 256);
            LlamaLayouts.CP_N_SEQ_MAX.set(cp, 0L, 1);
            LlamaLayouts.CP_N_THREADS.set(cp, 0L, threads);
            LlamaLayouts.CP_N_THREADS_BATCH.set(cp, 0L, threads);
            LlamaLayouts.CP_FLASH_ATTN.set(cp, 0L, false);
            MemorySegment ctx = llama.initFromModel(m, cp);
            MemorySegment vocab = llama.modelGetVocab(m);
            int nVocab = llama.vocabNTokens(vocab);
            long t1 = System.nanoTime();
            byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
            MemorySegment text = arena.allocate(bytes.length + 1L);
            MemorySegment.copy(bytes, 0, text, JAVA_BYTE, 0, bytes.length);
            int max = bytes.length + 8;
            MemorySegment tokens = arena.allocate(JAVA_INT, max);
            int count = llama.tokenize(vocab, text, bytes.length, tokens, max, true, false);
            int[] promptTokens = tokens.asSlice(0, count * 4L).toArray(JAVA_INT);
            int rc = llama.decode(ctx, batch(arena, tokens, count));
            if (rc != 0) throw new IllegalStateException("decode " + rc);
            long t2 = System.nanoTime();
            MemorySegment chain = llama.samplerChainInit(llama.samplerChainDefaultParams(arena));
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
                rc = llama.decode(ctx, batch(arena, one, 1));
                if (rc != 0) throw new IllegalStateException("decode " + rc);
            }
            long t3 = System.nanoTime();
            llama.samplerFree(chain);
            llama.free(ctx);
            llama.modelFree(m);
            System.out.println("prompt_tokens: " + java.util.Arrays.stream(promptTokens).mapToObj(String::valueOf)
                    .collect(Collectors.joining(",")));
            System.out.println("tokens: " + out.stream().map(String::valueOf).collect(Collectors.joining(",")));
            System.out.println("text_base64: " + Base64.getEncoder().encodeToString(textBytes.toByteArray()));
            System.out.println("load_ms: " + (t1 - t0) / 1_000_000);
            System.out.println("prompt_ms: " + (t2 - t1) / 1_000_000);
            System.out.println("generate_ms: " + (t3 - t2) / 1_000_000);
            System.out.println("done: ok");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        } catch (RuntimeException e) {
            System.out.println("error: " + e);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    /** What llama_batch_get_one returns: the tokens, positions and sequences left to llama.cpp. */
    private static MemorySegment batch(Arena arena, MemorySegment tokens, int n) {
        MemorySegment b = arena.allocate(LlamaLayouts.BATCH);
        LlamaLayouts.BATCH_N_TOKENS.set(b, 0L, n);
        LlamaLayouts.BATCH_TOKEN.set(b, 0L, tokens);
        return b;
    }
}
