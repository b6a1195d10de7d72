package io.quokka.scheduler.memory;

import io.quokka.gguf.GgufFile;
import io.quokka.gguf.TensorInfo;
import io.quokka.gguf.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The extra copy llama.cpp b4916's CPU backend makes of Q4_0 matrices it repacks into interleaved blocks
 * ({@code ggml-cpu-aarch64.cpp}: Q4_0 8x8 with AVX2, 4x8/4x4 with NEON i8mm/dotprod). A repacked tensor is read
 * from the mapping into an anonymous buffer while its mapped pages stay resident, so it counts twice. Only matrices
 * used by matrix multiplication are repacked: not {@code token_embd.weight} (row lookups), unless it is also the
 * output layer (tied embeddings, which llama.cpp loads a second time for the output). IQ4_NL's repack is NEON only.
 * A mixture of experts' stacked 3-D expert tensors (used by {@code MUL_MAT_ID}) count the same way, by the rows of
 * each expert ({@code ne[1]}): release v0.5.0's CPU backend repacks them ({@code repack.cpp} accepts 3-D sources of
 * {@code MUL_MAT_ID}); whether b4916 does was not checked, and counting them errs on the safe side.
 */
final class WeightRepacking {
    private WeightRepacking() {}

    /** Rows must be a multiple of this for a repack: 8 with AVX2, 4 on ARM; 0 when this CPU repacks nothing. */
    static final int ROW_MULTIPLE = detect();

    /** Bytes of {@code gguf}'s tensors that this CPU's llama.cpp holds a second, repacked copy of. */
    static long repackedBytes(GgufFile gguf) {
        return repackedBytes(gguf, ROW_MULTIPLE);
    }

    static long repackedBytes(GgufFile gguf, int rowMultiple) {
        if (rowMultiple == 0) return 0;
        boolean tied = gguf.tensor("output.weight").isEmpty();
        long sum = 0;
        for (TensorInfo t : gguf.tensors()) {
            boolean repackable = t.type() == TensorType.Q4_0 || (t.type() == TensorType.IQ4_NL && rowMultiple == 4);
            int n = t.dims().size();
            if (!repackable || (n != 2 && n != 3) || t.dims().get(1) % rowMultiple != 0) continue;
            if (t.name().equals("token_embd.weight") && !tied) continue;
            sum += t.byteSize();
        }
        return sum;
    }

    private static int detect() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String flags;
        try {
            flags = Files.readString(Path.of("/proc/cpuinfo")).toLowerCase(Locale.ROOT);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        if (arch.equals("amd64") || arch.equals("x86_64")) return flags.contains(" avx2") ? 8 : 0;
        if (arch.equals("aarch64")) return flags.contains(" i8mm") || flags.contains(" asimddp") ? 4 : 0;
        return 0;
    }
}
