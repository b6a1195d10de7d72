package io.quokka.runner.llamacpp.v050;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every function {@link LlamaV050} calls, against its prototype in the release's headers: the same number of
 * parameters, and each parameter and the result of the same kind (pointer, bool, 32-bit integer or enum, 64-bit
 * integer, float, or the named struct by value). Read from the text of the headers, so nothing is loaded; it catches
 * what the linker cannot (a C function that gained or lost a parameter, like {@code llama_sampler_init_penalties}
 * between b4916 and v0.5.0, still links).
 */
class SignaturesV050Test {
    /** Typedefs of the headers that are pointers (opaque handles and callbacks). */
    static final Set<String> POINTER_TYPEDEFS = Set.of("ggml_backend_dev_t", "ggml_threadpool_t", "ggml_abort_callback",
            "ggml_log_callback", "llama_memory_t", "ggml_backend_reg_t", "ggml_backend_t", "llama_progress_callback",
            "ggml_backend_sched_eval_callback", "ggml_backend_buffer_type_t");
    static final Set<String> INT32 = Set.of("int32_t", "uint32_t", "int", "llama_token", "llama_pos", "llama_seq_id");
    static final Set<String> INT64 = Set.of("int64_t", "uint64_t", "size_t");

    @Test
    void everyBoundFunctionHasTheHeadersSignature() throws Exception {
        Path headers = CurrentEngine.headers();
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Stream.concat(Files.list(headers.resolve("include")),
                Files.list(headers.resolve("ggml").resolve("include")))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".h")).sorted().toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        String text = all.toString().replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, FunctionDescriptor> e : LlamaV050.SIGNATURES.entrySet()) {
            String c = prototype(text, e.getKey());
            if (c == null) {
                mismatches.add(e.getKey() + ": no prototype in the headers");
                continue;
            }
            String java = kinds(e.getValue());
            if (!c.equals(java)) mismatches.add(e.getKey() + ": C " + c + ", Java " + java);
        }
        assertEquals(List.of(), mismatches);
        // the reading itself: a struct by value, and a function whose parameters changed since b4916 (4 there)
        assertEquals("i32(ptr, llama_batch)", prototype(text, "llama_decode"));
        assertEquals("ptr(i32, i32, float, float, float)", prototype(text, "llama_sampler_init_penalties"));
        assertEquals("i32(ptr, ptr, i32, ptr, i32, bool, bool)", prototype(text, "llama_tokenize"));
        assertTrue(LlamaV050.SIGNATURES.size() >= 28, "too few signatures: " + LlamaV050.SIGNATURES.keySet());
    }

    /** The kinds of a prototype, as {@code result(param, param...)}, or null if there is none. */
    static String prototype(String headers, String name) {
        Matcher m = Pattern.compile("(?:LLAMA_API|GGML_API|GGML_BACKEND_API)\\s+([^;(){}]*?)\\b" + name
                + "\\s*\\(([^)]*)\\)\\s*;").matcher(headers);
        if (!m.find()) return null;
        List<String> params = new ArrayList<>();
        String list = m.group(2).strip();
        if (!list.equals("void") && !list.isEmpty()) {
            for (String p : list.split(",")) params.add(cKind(p, true));
        }
        return cKind(m.group(1), false) + "(" + String.join(", ", params) + ")";
    }

    /** A C declaration's kind; {@code named} when it ends with a parameter name to drop. */
    static String cKind(String decl, boolean named) {
        String d = decl.replaceAll("\\b(const|LLAMA_API|GGML_API|GGML_BACKEND_API)\\b", " ").strip();
        if (d.contains("*")) return "ptr";
        List<String> words = new ArrayList<>(List.of(d.split("\\s+")));
        if (named && words.size() > 1) words.removeLast();
        String type = String.join(" ", words);
        if (type.equals("void")) return "void";
        if (type.equals("bool")) return "bool";
        if (type.equals("float")) return "float";
        if (type.equals("double")) return "double";
        if (type.startsWith("enum ") || INT32.contains(type)) return "i32";
        if (INT64.contains(type)) return "i64";
        if (POINTER_TYPEDEFS.contains(type)) return "ptr";
        if (type.startsWith("struct ")) return type.substring("struct ".length());
        if (type.equals("llama_batch") || type.equals("llama_sampler_chain_params")) return type;
        throw new IllegalArgumentException("unknown C type '" + type + "' in '" + decl + "': add it to the test");
    }

    static String kinds(FunctionDescriptor d) {
        String result = d.returnLayout().map(SignaturesV050Test::kind).orElse("void");
        return result + "(" + String.join(", ", d.argumentLayouts().stream().map(SignaturesV050Test::kind).toList()) + ")";
    }

    static String kind(MemoryLayout l) {
        if (l instanceof AddressLayout) return "ptr";
        if (l instanceof StructLayout s) return s.name().orElseThrow();
        if (l instanceof ValueLayout v) {
            Class<?> c = v.carrier();
            if (c == boolean.class) return "bool";
            if (c == int.class) return "i32";
            if (c == long.class) return "i64";
            if (c == float.class) return "float";
            if (c == double.class) return "double";
        }
        throw new IllegalArgumentException("unexpected layout " + l);
    }
}
