package io.quokka.runner.llamacpp.v050;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java layouts of llama.cpp v0.5.0's structs ({@link LayoutsV050}) against the release's own headers, two ways:
 * <ul>
 *   <li>the field names of each struct, read from {@code include/llama.h}, are the Java layout's named members in
 *       the same order (a field added in a place the Java side pads over would otherwise go unnoticed);</li>
 *   <li>a C program compiled with the system's {@code gcc} against the headers prints {@code sizeof},
 *       {@code _Alignof}, and {@code offsetof} and size of every field; each must equal the Java layout's.</li>
 * </ul>
 * The headers come from {@code scripts/engine.sh headers} (skipped when they cannot be had; see
 * {@link CurrentEngine}). b4916 cannot be checked this way: de.kherud:llama 4.2.0 ships no {@code llama.h}; its
 * layouts are checked against the library's {@code *_default_params()} by {@code LlamaLayoutsTest}.
 * ({@code ggml_threadpool_params} is ggml's, in {@code ggml/include/ggml.h}, which llama.h includes.)
 */
class LayoutsV050Test {
    @TempDir
    Path tmp;

    @Test
    void everyFieldMatchesTheReleaseHeadersCompiledWithGcc() throws Exception {
        Path headers = CurrentEngine.headers();
        if (!onPath("gcc")) {
            // The machines this project builds on have gcc: under CI its absence is a failure, not a reason to skip.
            String why = "no gcc on PATH: the layout check needs a C compiler";
            if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
            Assumptions.abort(why);
        }
        Map<String, Long> c = compileAndRun(headers, LayoutsV050.ALL);
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (StructLayout s : LayoutsV050.ALL) {
            String name = s.name().orElseThrow();
            checked += compare(mismatches, c, "sizeof " + name, s.byteSize());
            checked += compare(mismatches, c, "alignof " + name, s.byteAlignment());
            for (MemoryLayout m : s.memberLayouts()) {
                if (m instanceof PaddingLayout) continue;
                String field = m.name().orElseThrow();
                checked += compare(mismatches, c, "offsetof " + name + "." + field,
                        s.byteOffset(PathElement.groupElement(field)));
                checked += compare(mismatches, c, "sizeof " + name + "." + field, m.byteSize());
            }
        }
        assertEquals(List.of(), mismatches, "Java layouts differ from llama.h of " + LlamaV050.RELEASE);
        assertEquals(c.size(), checked, "the C program printed values nobody compared: " + c.keySet());
        System.out.printf("llama.cpp %s layouts: %d sizes/offsets equal to gcc's (%s)%n", LlamaV050.RELEASE, checked,
                Files.readString(headers.resolve("COMMIT")).strip());
    }

    @Test
    void fieldNamesAreTheHeadersInOrder() throws Exception {
        Path headers = CurrentEngine.headers();
        String llamaH = Files.readString(headers.resolve("include").resolve("llama.h"))
                + Files.readString(headers.resolve("ggml").resolve("include").resolve("ggml.h"));
        for (StructLayout s : LayoutsV050.ALL) {
            String name = s.name().orElseThrow();
            List<String> java = s.memberLayouts().stream().filter(m -> !(m instanceof PaddingLayout))
                    .map(m -> m.name().orElseThrow()).toList();
            assertEquals(fieldsInHeader(llamaH, name), java, "fields of struct " + name);
        }
    }

    /** The field names of {@code struct name { ... }} in a header: each declaration's last identifier. */
    static List<String> fieldsInHeader(String header, String name) {
        Matcher start = Pattern.compile("struct\\s+" + name + "\\s*\\{").matcher(header);
        assertTrue(start.find(), "no struct " + name + " in llama.h");
        int open = start.end();
        int close = header.indexOf('}', open);
        String body = header.substring(open, close)
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ");
        assertTrue(!body.contains("{"), "nested braces in struct " + name + ": extend the parser");
        List<String> fields = new ArrayList<>();
        Pattern last = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(\\[[^\\]]*\\])?\\s*$");
        for (String decl : body.split(";")) {
            String d = decl.strip();
            if (d.isEmpty()) continue;
            Matcher m = last.matcher(d);
            assertTrue(m.find(), "cannot read a field name in '" + d + "'");
            fields.add(m.group(1));
        }
        return fields;
    }

    private Map<String, Long> compileAndRun(Path headers, List<StructLayout> structs) throws Exception {
        StringBuilder src = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include "llama.h"
                #define SZ(T) printf("sizeof %s %zu\\n", #T, sizeof(struct T)); \\
                              printf("alignof %s %zu\\n", #T, (size_t) _Alignof(struct T));
                #define F(T, f) printf("offsetof %s.%s %zu\\n", #T, #f, offsetof(struct T, f)); \\
                                printf("sizeof %s.%s %zu\\n", #T, #f, sizeof(((struct T *) 0)->f));
                int main(void) {
                """);
        for (StructLayout s : structs) {
            String name = s.name().orElseThrow();
            src.append("    SZ(").append(name).append(")\n");
            for (MemoryLayout m : s.memberLayouts()) {
                if (m instanceof PaddingLayout) continue;
                src.append("    F(").append(name).append(", ").append(m.name().orElseThrow()).append(")\n");
            }
        }
        src.append("    return 0;\n}\n");
        Path c = tmp.resolve("layouts.c");
        Files.writeString(c, src);
        Path exe = tmp.resolve("layouts");
        String compiled = run(List.of("gcc", "-std=gnu11", "-Wall", "-I", headers.resolve("include").toString(),
                "-I", headers.resolve("ggml").resolve("include").toString(), c.toString(), "-o", exe.toString()));
        assertTrue(Files.isExecutable(exe), "gcc failed:\n" + compiled + "\n" + src);
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            int i = line.lastIndexOf(' ');
            if (i > 0) values.put(line.substring(0, i), Long.parseLong(line.substring(i + 1).strip()));
        }
        return values;
    }

    private static int compare(List<String> mismatches, Map<String, Long> c, String key, long java) {
        Long expected = c.get(key);
        if (expected == null) {
            mismatches.add(key + ": not printed by the C program");
        } else if (expected != java) {
            mismatches.add(key + ": C " + expected + ", Java " + java);
        }
        return 1;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + command);
        return out;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
