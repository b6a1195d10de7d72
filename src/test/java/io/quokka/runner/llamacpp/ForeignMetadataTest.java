package io.quokka.runner.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A native image can make only the foreign calls registered at build time. This binds everything the runner binds
 * (through {@link io.quokka.runner.NativeSelfCheck#bindEverything}, recorded by {@link ForeignCalls}) and checks that
 * {@code native/.../reachability-metadata.json} lists exactly those descriptors, in the notation GraalVM 25's
 * layout parser reads (canonical layout names of {@link Linker#canonicalLayouts()}, {@code struct(...)},
 * {@code padding(n)}). On a mismatch the message carries the "foreign" section to paste.
 */
class ForeignMetadataTest {
    static final Path METADATA =
            Paths.get("native", "resources", "META-INF", "native-image", "io.quokka", "quokka", "reachability-metadata.json");
    static final Path PROPERTIES = METADATA.resolveSibling("native-image.properties");

    @BeforeAll
    static void bind() {
        io.quokka.runner.NativeSelfCheck.bindEverything(NativeLibrary.extract(Paths.get("target", "native")));
    }

    @Test
    void everyBoundDowncallAndUpcallIsRegistered() throws IOException {
        JsonNode foreign = new ObjectMapper().readTree(METADATA.toFile()).path("foreign");
        assertEquals(expected(downcalls(), true), registered(foreign.path("downcalls")),
                "foreign.downcalls out of sync with the bindings; expected section:\n" + section());
        assertEquals(expected(ForeignCalls.upcalls(), false), registered(foreign.path("upcalls")),
                "foreign.upcalls out of sync with the bindings; expected section:\n" + section());
        assertTrue(ForeignCalls.downcalls().size() >= 30, "the check bound too little: " + ForeignCalls.downcalls());
        assertEquals(2, ForeignCalls.upcalls().size(), "log and abort callbacks: " + ForeignCalls.upcalls());
    }

    /** Only {@link ForeignCalls} may create handles, or a binding could escape the check above. */
    @Test
    void noBindingBypassesForeignCalls() throws IOException {
        try (Stream<Path> files = Files.walk(Paths.get("src", "main", "java"))) {
            List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getFileName().toString().equals("ForeignCalls.java"))
                    .filter(f -> read(f).contains("downcallHandle(") || read(f).contains("upcallStub("))
                    .map(Path::toString).toList();
            assertEquals(List.of(), offenders);
        }
    }

    /**
     * The server and runner call llama.cpp only through FFM: no de.kherud JNI class is reachable, so the library's
     * JNI side ({@code JNI_OnLoad}, {@code FindClass}/{@code GetMethodID} of de.kherud's classes) never runs — the
     * library is {@code dlopen}ed, which does not call {@code JNI_OnLoad} — and the image needs no JNI metadata.
     */
    @Test
    void noJniPathIntoTheLibrary() throws IOException {
        try (Stream<Path> files = Files.walk(Paths.get("src", "main", "java"))) {
            List<String> users = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).contains("de.kherud.llama.") && read(f).contains("import de.kherud"))
                    .map(Path::toString).toList();
            assertEquals(List.of(), users);
        }
    }

    /**
     * Method-handle lookups and {@code Class.forName} with a computed name are reflection in a native image: every one
     * in the sources ({@code findStatic/findVirtual(X.class, "m"}, {@code Class.forName(X.class.getName()}) must be
     * registered, and every registration must resolve.
     */
    @Test
    void reflectiveLookupsAreRegistered() throws Exception {
        JsonNode reflection = new ObjectMapper().readTree(METADATA.toFile()).path("reflection");
        java.util.Set<String> registered = new TreeSet<>();
        for (JsonNode entry : reflection) {
            Class<?> type = Class.forName(entry.path("type").asText());
            registered.add(type.getSimpleName());
            for (JsonNode m : entry.path("methods")) {
                List<Class<?>> params = new ArrayList<>();
                for (JsonNode p : m.path("parameterTypes")) params.add(classOf(p.asText()));
                type.getDeclaredMethod(m.path("name").asText(), params.toArray(Class<?>[]::new)); // throws if absent
                registered.add(type.getSimpleName() + "." + m.path("name").asText());
            }
        }
        java.util.regex.Pattern lookup = java.util.regex.Pattern.compile("find(?:Static|Virtual)\\((\\w+)\\.class, \"(\\w+)\"");
        java.util.regex.Pattern forName = java.util.regex.Pattern.compile("Class\\.forName\\((\\w+)\\.class\\.getName\\(\\)");
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Paths.get("src", "main", "java"))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                String text = read(f);
                var m = lookup.matcher(text);
                while (m.find()) if (!registered.contains(m.group(1) + "." + m.group(2))) missing.add(m.group(1) + "." + m.group(2));
                var c = forName.matcher(text);
                while (c.find()) if (!registered.contains(c.group(1))) missing.add(c.group(1));
            }
        }
        assertEquals(List.of(), missing, "register these in the \"reflection\" section of " + METADATA);
        assertTrue(registered.contains("LlamaCpp.onLog") && registered.contains("BooleanSupplier.getAsBoolean"), registered.toString());
    }

    private static Class<?> classOf(String name) throws ClassNotFoundException {
        return switch (name) {
            case "int" -> int.class;
            case "long" -> long.class;
            case "boolean" -> boolean.class;
            case "float" -> float.class;
            default -> Class.forName(name);
        };
    }

    @Test
    void buildArgumentsEnableNativeAccessAndRunTimeInitOfTheBindings() throws IOException {
        String args = Files.readString(PROPERTIES);
        assertTrue(args.contains("--enable-native-access=ALL-UNNAMED"), args);
        // upcall stubs and downcall handles are created in static initialisers: never at image build time
        assertTrue(args.contains("--initialize-at-run-time=" + ForeignCalls.class.getPackageName()), args);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Every downcall a runner may make: what binding b4916 recorded here, and release v0.5.0's table (which cannot be
     * bound in this process: a second llama.cpp would share its symbols with the first).
     */
    private static List<ForeignCalls.Binding> downcalls() {
        java.util.Set<ForeignCalls.Binding> all = new java.util.LinkedHashSet<>(ForeignCalls.downcalls());
        io.quokka.runner.llamacpp.v050.LlamaV050.SIGNATURES.values()
                .forEach(d -> all.add(new ForeignCalls.Binding(d, false)));
        return List.copyOf(all);
    }

    private static TreeSet<String> expected(List<ForeignCalls.Binding> bindings, boolean downcall) {
        return bindings.stream().map(b -> key(b, downcall)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String key(ForeignCalls.Binding b, boolean downcall) {
        return key(type(b.descriptor().returnLayout().orElse(null)),
                b.descriptor().argumentLayouts().stream().map(ForeignMetadataTest::type).toList(),
                downcall && b.capturesCallState());
    }

    private static String key(String returnType, List<String> parameterTypes, boolean captures) {
        return returnType + " " + parameterTypes + (captures ? " captureCallState" : "");
    }

    private static TreeSet<String> registered(JsonNode calls) {
        TreeSet<String> keys = new TreeSet<>();
        for (JsonNode call : calls) {
            List<String> params = new ArrayList<>();
            call.path("parameterTypes").forEach(p -> params.add(p.asText().replaceAll("\\s+", " ").replace("( ", "(")));
            keys.add(key(call.path("returnType").asText(), params, call.path("options").path("captureCallState").asBoolean()));
        }
        return keys;
    }

    /** GraalVM's notation for a layout; value layouts must be canonical (what the image builder's parser knows). */
    static String type(MemoryLayout layout) {
        if (layout == null) return "void";
        String text = switch (layout) {
            case AddressLayout a -> "void*";
            case ValueLayout v -> canonicalName(v);
            case PaddingLayout p -> "padding(" + p.byteSize() + ")";
            case SequenceLayout s -> "sequence(" + s.elementCount() + ", " + type(s.elementLayout()) + ")";
            case StructLayout s -> s.memberLayouts().stream().map(ForeignMetadataTest::type)
                    .collect(Collectors.joining(", ", "struct(", ")"));
            case GroupLayout u -> u.memberLayouts().stream().map(ForeignMetadataTest::type)
                    .collect(Collectors.joining(", ", "union(", ")"));
        };
        long natural = layout instanceof GroupLayout g
                ? g.memberLayouts().stream().mapToLong(MemoryLayout::byteAlignment).max().orElse(1)
                : layout instanceof PaddingLayout ? 1 : layout.byteSize();
        if (layout instanceof SequenceLayout s) natural = s.elementLayout().byteAlignment();
        return layout.byteAlignment() == natural ? text : "align(" + layout.byteAlignment() + ", " + text + ")";
    }

    private static String canonicalName(ValueLayout v) {
        String name = "j" + v.carrier().getSimpleName();
        MemoryLayout canonical = Linker.nativeLinker().canonicalLayouts().get(name);
        assertEquals(canonical, v.withoutName(), "not a canonical layout: " + v);
        return name;
    }

    /** The "foreign" section these bindings need, to paste into the metadata file. */
    private static String section() {
        StringBuilder out = new StringBuilder("  \"foreign\": {\n    \"downcalls\": [\n");
        out.append(downcalls().stream().sorted((a, b) -> key(a, true).compareTo(key(b, true)))
                .map(b -> entry(b, true)).collect(Collectors.joining(",\n"))).append("\n    ],\n    \"upcalls\": [\n");
        out.append(ForeignCalls.upcalls().stream().sorted((a, b) -> key(a, false).compareTo(key(b, false)))
                .map(b -> entry(b, false)).collect(Collectors.joining(",\n"))).append("\n    ]\n  }\n");
        return out.toString();
    }

    private static String entry(ForeignCalls.Binding b, boolean downcall) {
        FunctionDescriptor d = b.descriptor();
        String params = d.argumentLayouts().stream().map(l -> "\"" + type(l) + "\"").collect(Collectors.joining(", "));
        String options = downcall && b.capturesCallState() ? ", \"options\": {\"captureCallState\": true}" : "";
        return "      {\"returnType\": \"" + type(d.returnLayout().orElse(null)) + "\", \"parameterTypes\": [" + params
                + "]" + options + "}";
    }

}
