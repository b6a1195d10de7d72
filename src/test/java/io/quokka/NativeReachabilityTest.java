package io.quokka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.classfile.attribute.StackMapFrameInfo;
import java.lang.classfile.instruction.ArrayLoadInstruction;
import java.lang.classfile.instruction.ArrayStoreInstruction;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ConvertInstruction;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LineNumber;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.OperatorInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.StackInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.AccessFlag;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A native image can reflect only on what was registered at build time; Jackson binds records by reflection, so an
 * unregistered record reads as {@code {}} or fails to parse ({@code syntax error at line 1, column 2}). This derives,
 * from the compiled classes under {@code target/classes} (read with the JDK's {@code java.lang.classfile}), every
 * class a JSON mapper binds, and checks each carries {@link RegisterForReflection} (directly or as a {@code targets}
 * entry of an {@code io.quokka} class):
 *
 * <ul>
 *   <li><b>read targets</b>: the {@code Class} and {@code TypeReference} arguments of {@code ObjectMapper}/{@code
 *       ObjectReader} calls ({@code readValue}, {@code convertValue}, ...) and of the methods that forward their own
 *       parameter to one ({@code RequestBodies.decode});
 *   <li><b>written values</b>: the static type of the value given to {@code writeValueAs*}/{@code valueToTree}/{@code
 *       convertValue}, to a JAX-RS {@code Response.ok}/{@code entity}, and to the methods that forward a parameter to
 *       one ({@code GoJson.encode}, the framings' {@code writeLine}); a value typed {@code Object} is followed to the
 *       parameter it came from (the callers' arguments) or to the method that returned it (every implementation's
 *       returned values: the framings' {@code Shape}s, {@code FallbackHeaders.answeredBy}), or, when it is the result
 *       of a function parameter, to the lambdas and method references given for it ({@code TextChunkTemplate.of});
 *       a returned list of {@code Object}s is followed through its {@code List.of}/{@code add} elements;
 *   <li><b>JAX-RS signatures</b>: the parameter and return types of resource methods;
 * </ul>
 *
 * then closes over record components, fields, sealed subtypes and generic type arguments, keeping the classes in
 * {@code io.quokka}. A value the analysis cannot type fails the test unless listed in {@link #UNTRACEABLE} with the
 * reason it is covered. It also checks resources read at run time and that runner mode binds no JSON.
 */
class NativeReachabilityTest {
    static final Path CLASSES = Paths.get("target", "classes");
    static final String PREFIX = "io/quokka/";

    /**
     * Methods with a sink call site whose value the analysis cannot follow, or forwarders it never sees called (a
     * lambda's body), with where their values come from instead (added as sources below where they are records).
     * Keyed by "Class.method"; an entry no longer needed fails the test.
     */
    static final Map<String, String> UNTRACEABLE = Map.of(
            "io.quokka.api.openai.SseFraming.events",
            "each element of the event lists that SseFraming.Shape's piece and finish return (EXTRA_SOURCES)",
            "io.quokka.api.openai.SseFraming.lambda$answeredBy$0",
            "the same events, each through FallbackHeaders.answeredBy",
            "io.quokka.fallback.upstream.OpenAiProtocol.lambda$body$0",
            "the values of a request's options map, which Jackson parsed into JDK types (numbers, strings, lists, maps)");

    /** Methods whose returned values are written but which the analysis does not reach (see UNTRACEABLE). */
    static final List<MethodKey> EXTRA_SOURCES = List.of(
            new MethodKey("io/quokka/api/openai/SseFraming$Shape", "piece",
                    MethodTypeDesc.ofDescriptor("(Lio/quokka/generation/Reply;)Ljava/util/List;")),
            new MethodKey("io/quokka/api/openai/SseFraming$Shape", "finish", MethodTypeDesc.ofDescriptor(
                    "(Lio/quokka/generation/Reply;Ljava/lang/String;Lio/quokka/api/openai/Usage;)Ljava/util/List;")));

    static final Set<String> MAPPERS = Set.of("com/fasterxml/jackson/databind/ObjectMapper",
            "com/fasterxml/jackson/databind/json/JsonMapper", "com/fasterxml/jackson/databind/ObjectReader",
            "com/fasterxml/jackson/databind/ObjectWriter");
    static final Set<String> MAPPER_WRITES = Set.of("writeValue", "writeValueAsBytes", "writeValueAsString",
            "valueToTree", "convertValue");
    static final Set<String> RESPONSES = Set.of("jakarta/ws/rs/core/Response", "jakarta/ws/rs/core/Response$ResponseBuilder",
            "org/jboss/resteasy/reactive/RestResponse", "org/jboss/resteasy/reactive/RestResponse$ResponseBuilder");
    static final Set<String> READ_TYPES = Set.of("Ljava/lang/Class;", "Lcom/fasterxml/jackson/core/type/TypeReference;",
            "Lcom/fasterxml/jackson/databind/JavaType;");
    static final Set<String> COLLECTORS = Set.of("java/util/List", "java/util/Collection", "java/util/ArrayList");
    static final Set<String> COLLECTING = Set.of("of", "add");
    static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS");

    record MethodKey(String owner, String name, MethodTypeDesc type) {
        String display() {
            return owner.replace('/', '.') + "." + name;
        }
    }

    /**
     * A sink: parameter {@code index} (0 = first declared parameter) is read into its type or written as JSON, or is
     * a function whose results are written.
     */
    record Sink(int index, boolean read, boolean function) {
        Sink(int index, boolean read) {
            this(index, read, false);
        }
    }

    /** A stack or local value: its static type, and where it came from when that matters. */
    record Val(Type type, int param, MethodKey returnedBy, int receiverParam, ClassDesc constant, MethodKey lambda,
               int size) {
        Val(Type type, int param, MethodKey returnedBy, ClassDesc constant, int size) {
            this(type, param, returnedBy, -1, constant, null, size);
        }

        static Val of(Type type) {
            return new Val(type, -1, null, null, 1);
        }

        static final Val UNKNOWN = of(null);
        static final Val WIDE = new Val(null, -1, null, null, 2);
    }

    static Map<String, ClassModel> classes;
    static Map<MethodKey, Set<Sink>> sinks;
    static Set<MethodKey> sources;
    static Set<Type> seeds;
    static Set<String> untraceable;
    static Set<String> untraceableListed;
    static Set<MethodKey> calledForwarders;
    static Map<String, Set<String>> seedSites;
    static int jaxrsMethods;

    @BeforeAll
    static void analyse() throws IOException {
        classes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(Files.readAllBytes(f));
                classes.put(model.thisClass().asInternalName(), model);
            }
        }
        sinks = new HashMap<>();
        sources = new LinkedHashSet<>(EXTRA_SOURCES);
        for (MethodKey m : EXTRA_SOURCES) sources.addAll(implementations(m));
        // Forwarders and return-value sources are discovered as the methods are analysed: repeat to a fixed point.
        int before;
        do {
            before = sinks.values().stream().mapToInt(Set::size).sum() + sources.size();
            seeds = new LinkedHashSet<>();
            untraceable = new TreeSet<>();
            untraceableListed = new TreeSet<>();
            calledForwarders = new HashSet<>();
            seedSites = new TreeMap<>();
            for (ClassModel c : classes.values()) {
                for (MethodModel m : c.methods()) {
                    m.code().ifPresent(code -> new Frame(c, m, code).run());
                }
            }
        } while (sinks.values().stream().mapToInt(Set::size).sum() + sources.size() != before);
        // A forwarder nobody is seen calling (a lambda's body, a call through another owner) would lose its values.
        for (MethodKey forwarder : sinks.keySet()) {
            if (calledForwarders.contains(forwarder)) continue;
            if (UNTRACEABLE.containsKey(forwarder.display())) untraceableListed.add(forwarder.display());
            else untraceable.add(forwarder.display() + " (forwards to a JSON mapper; no call site found)");
        }
        jaxrsMethods = 0;
        for (ClassModel c : classes.values()) jaxrs(load(c.thisClass().asInternalName()));
    }

    @Test
    void everyClassAJsonMapperBindsIsRegisteredForReflection() {
        assertEquals(Set.of(), untraceable, "JSON call sites whose values cannot be typed; make them typeable, or "
                + "list them in UNTRACEABLE with where their values come from");
        Set<Class<?>> bound = closure(seeds);
        Set<Class<?>> registered = registered();
        List<String> missing = bound.stream().filter(c -> !registered.contains(c)).map(Class::getName).sorted().toList();
        System.out.printf("NativeReachabilityTest: %d forwarding methods, %d methods whose results are written, "
                        + "%d JAX-RS resource methods, %d seed types -> %d io.quokka classes bound by JSON, "
                        + "%d registered for reflection%n",
                sinks.size(), sources.size(), jaxrsMethods, seeds.size(), bound.size(), registered.size());
        bound.stream().map(Class::getName).sorted().forEach(n -> System.out.println("  bound: " + n));
        assertEquals(List.of(), missing, "add @RegisterForReflection to these, bound by a JSON mapper at "
                + missing.stream().map(n -> n + " <- " + seedSites.getOrDefault(n, Set.of("a field or subtype")))
                        .toList());
        // The derivation must at least find what made the first native image serve nothing.
        assertTrue(bound.contains(load("io/quokka/store/Manifest")) && bound.contains(load("io/quokka/store/Layer"))
                && bound.contains(load("io/quokka/store/ModelConfig")), bound.toString());
        assertTrue(bound.size() >= 40, "the derivation found too little: " + bound);
    }

    /** Each way of reaching a bound type still finds what it found when this test was written. */
    @Test
    void everyDerivationRuleFindsItsKnownCase() {
        assertSeeded("io.quokka.store.Manifest", "io.quokka.store.OllamaStore.parseManifest"); // readValue(.., X.class)
        assertSeeded("io.quokka.store.Manifest", "io.quokka.pull.ModelPuller.pullFromRegistry"); // pull's registry JSON
        assertSeeded("io.quokka.store.ModelConfig", "io.quokka.store.StoredModel.readConfig"); // a TypeReference
        assertSeeded("io.quokka.api.ollama.ChatRequest", "io.quokka.api.ChatResource.chat"); // RequestBodies.decode
        assertSeeded("io.quokka.store.Manifest", "io.quokka.store.StoreWriter.writeManifest"); // GoJson.encode
        assertSeeded("io.quokka.api.ollama.ProgressResponse", "io.quokka.api.PullResource.lambda$pull"); // writeLine
        assertSeeded("io.quokka.api.ollama.ChatResponse", "io.quokka.api.ChatResource$1.done"); // a Shape's results
        assertSeeded("io.quokka.api.ollama.GenerateResponse", "io.quokka.api.GenerateResource$1.textChunk"); // Shape::textChunk
        assertSeeded("io.quokka.api.openai.ChatCompletionChunk", "io.quokka.api.openai.ChatShape.textEvent"); // a lambda's
        assertSeeded("io.quokka.api.openai.ChatCompletionChunk", "io.quokka.api.openai.ChatShape.piece"); // SSE events
        assertSeeded("io.quokka.api.ollama.EmbedResponse", "io.quokka.api.EmbedResource.embed"); // Response.ok
        assertSeeded("io.quokka.api.ollama.ListResponse", "io.quokka.api.ModelsResource.tags (JAX-RS)");
        assertEquals(UNTRACEABLE.keySet(), untraceableListed, "UNTRACEABLE entries no longer needed: remove them");
    }

    private static void assertSeeded(String type, String site) {
        Set<String> sites = seedSites.getOrDefault(type, Set.of());
        assertTrue(sites.stream().anyMatch(x -> x.startsWith(site)), type + " not found at " + site + ": " + sites);
    }

    /** Resources read at run time must be in the image: {@code quarkus.native.resources.includes}. */
    @Test
    void resourcesReadAtRunTimeAreIncluded() throws Exception {
        List<String> constants = new ArrayList<>();
        List<String> computed = new ArrayList<>();
        for (ClassModel c : classes.values()) {
            for (MethodModel m : c.methods()) {
                if (m.code().isEmpty()) continue;
                ConstantInstruction last = null;
                for (CodeElement e : m.code().get()) {
                    if (e instanceof InvokeInstruction i && (i.owner().asInternalName().equals("java/lang/Class")
                            || i.owner().asInternalName().equals("java/lang/ClassLoader"))
                            && i.name().stringValue().startsWith("getResource")) {
                        String site = c.thisClass().asInternalName().replace('/', '.') + "." + m.methodName();
                        if (last != null && last.constantValue() instanceof String s) constants.add(s);
                        else computed.add(site);
                    }
                    if (e instanceof ConstantInstruction k) last = k;
                    else if (e instanceof java.lang.classfile.Instruction) last = null;
                }
            }
        }
        String pom = Files.readString(Paths.get("pom.xml"));
        var include = java.util.regex.Pattern.compile("<quarkus.native.resources.includes>([^<]*)<").matcher(pom);
        assertTrue(include.find(), "pom.xml: no quarkus.native.resources.includes");
        List<String> globs = new ArrayList<>(Arrays.asList(include.group(1).split(",")));
        for (String line : Files.readAllLines(Paths.get("src", "main", "resources", "application.properties"))) {
            if (line.startsWith("quarkus.native.resources.includes=")) {
                globs.addAll(Arrays.asList(line.substring(line.indexOf('=') + 1).split(",")));
            }
        }
        List<String> excluded = constants.stream().filter(r -> globs.stream().noneMatch(g -> glob(g, r))).toList();
        assertEquals(List.of(), excluded, "resources read by name but not in quarkus.native.resources.includes");
        // The one computed name: the bundled llama.cpp library, included per CPU by the native profile.
        assertEquals(List.of("io.quokka.runner.llamacpp.NativeLibrary.extract"), computed);
        String library = (String) accessible(load("io/quokka/runner/llamacpp/NativeLibrary")
                .getDeclaredMethod("resourcePath")).invoke(null);
        String arch = library.split("/")[4];
        assertTrue(globs.stream().anyMatch(g -> glob(g.replace("${llama.native.arch}", arch), library)),
                library + " not matched by " + globs);
        System.out.printf("NativeReachabilityTest: %d resource reads by constant name, %d computed (%s), includes %s%n",
                constants.size(), computed.size(), library, globs);
    }

    /**
     * The runner ({@code QuokkaMain runner ...}, the same binary) speaks a binary protocol ({@code
     * io.quokka.runner.protocol.Wire}): nothing it can reach uses a JSON mapper, so runner mode needs no registration
     * beyond the foreign calls (ForeignMetadataTest). Reach: the classes named in the constant pools, from {@code
     * RunnerMain} on, within io.quokka.
     */
    @Test
    void runnerModeBindsNoJson() {
        Set<String> reached = new TreeSet<>();
        Deque<String> work = new ArrayDeque<>(List.of(PREFIX + "runner/RunnerMain"));
        List<String> users = new ArrayList<>();
        while (!work.isEmpty()) {
            String name = work.pop();
            ClassModel c = classes.get(name);
            if (c == null || !reached.add(name)) continue;
            c.constantPool().forEach(entry -> {
                if (!(entry instanceof java.lang.classfile.constantpool.ClassEntry k)) return;
                String target = k.asInternalName();
                if (target.startsWith("com/fasterxml/jackson/databind")) users.add(name + " -> " + target);
                if (target.startsWith(PREFIX)) work.push(target);
            });
        }
        System.out.printf("NativeReachabilityTest: runner mode reaches %d io.quokka classes, %d use a JSON mapper%n",
                reached.size(), users.size());
        assertTrue(reached.contains(PREFIX + "runner/protocol/Wire") && reached.size() > 20, reached.toString());
        assertEquals(List.of(), users, "runner-mode classes using a JSON mapper: register what they bind");
    }

    /** The binary's heap defaults (server and runner): small, as documented in native/README.md. */
    @Test
    void smallHeapIsTheBinarysDefault() throws IOException {
        String args = Files.readString(Paths.get("native", "resources", "META-INF", "native-image", "io.quokka",
                "quokka", "native-image.properties"));
        assertTrue(args.contains("-R:MaxHeapSize=64m") && args.contains("-R:MaxNewSize=4m"), args);
    }

    // ---- the analysis of one method ----

    static final class Frame {
        final ClassModel owner;
        final MethodModel method;
        final CodeModel code;
        final MethodKey self;
        final Deque<Val> stack = new ArrayDeque<>();
        final Map<Integer, Val> locals = new HashMap<>();
        final Map<Label, StackMapFrameInfo> frames = new HashMap<>();
        final Set<Integer> storedSlots = new HashSet<>();
        final Map<Integer, Integer> stores = new HashMap<>();
        int line;

        Frame(ClassModel owner, MethodModel method, CodeModel code) {
            this.owner = owner;
            this.method = method;
            this.code = code;
            this.self = new MethodKey(owner.thisClass().asInternalName(), method.methodName().stringValue(),
                    method.methodTypeSymbol());
            code.findAttribute(Attributes.stackMapTable()).ifPresent(t -> t.entries().forEach(f -> frames.put(f.target(), f)));
            Set<Label> handlers = new HashSet<>();
            code.exceptionHandlers().forEach(h -> handlers.add(h.handler()));
            boolean caught = false;
            for (CodeElement e : code) {
                if (e instanceof StoreInstruction s) {
                    storedSlots.add(s.slot());
                    // a catch block's variable may reuse the slot of one whose scope ended: not a reassignment
                    if (!caught) stores.merge(s.slot(), 1, Integer::sum);
                }
                if (e instanceof LabelTarget t) caught |= handlers.contains(t.label());
                else if (e instanceof java.lang.classfile.Instruction) caught = false;
            }
            int slot = 0;
            if (!method.flags().has(AccessFlag.STATIC)) locals.put(slot++, Val.of(load(self.owner())));
            MethodTypeDesc type = method.methodTypeSymbol();
            for (int i = 0; i < type.parameterCount(); i++) {
                ClassDesc p = type.parameterType(i);
                locals.put(slot, new Val(typeOf(p), storedSlots.contains(slot) ? -1 : i, null, null, size(p)));
                slot += size(p);
            }
        }

        void run() {
            for (CodeElement e : code) {
                switch (e) {
                    case LabelTarget t -> {
                        StackMapFrameInfo f = frames.get(t.label());
                        if (f != null) reset(f);
                    }
                    case LineNumber n -> line = n.line();
                    case java.lang.classfile.Instruction i -> step(i);
                    default -> {}
                }
            }
        }

        private void reset(StackMapFrameInfo f) {
            List<Val> under = new ArrayList<>(stack).reversed(); // bottom first, as the frame lists it
            stack.clear();
            for (var v : f.stack()) {
                // an object under construction (a ternary among its arguments): keep what NEW said it is
                boolean uninitialized = v instanceof StackMapFrameInfo.UninitializedVerificationTypeInfo;
                stack.push(uninitialized && stack.size() < under.size() ? under.get(stack.size()) : verification(v));
            }
            Map<Integer, Val> before = new HashMap<>(locals);
            locals.clear();
            int slot = 0;
            for (var v : f.locals()) {
                Val val = verification(v);
                Val old = before.get(slot);
                // keep what is known about a parameter the method never reassigns, or a local assigned once
                boolean single = old != null && (old.param() >= 0 || stores.getOrDefault(slot, 0) == 1
                        && val.type() instanceof Class<?> declared && raw(old.type()) != null
                        && declared.isAssignableFrom(raw(old.type())));
                locals.put(slot, single ? old : val);
                slot += val.size();
            }
        }

        private static Val verification(StackMapFrameInfo.VerificationTypeInfo v) {
            return switch (v) {
                case StackMapFrameInfo.ObjectVerificationTypeInfo o -> Val.of(typeOf(o.classSymbol()));
                case StackMapFrameInfo.SimpleVerificationTypeInfo s when s == StackMapFrameInfo.SimpleVerificationTypeInfo.LONG
                        || s == StackMapFrameInfo.SimpleVerificationTypeInfo.DOUBLE -> Val.WIDE;
                default -> Val.UNKNOWN;
            };
        }

        private Val pop() {
            return stack.isEmpty() ? Val.UNKNOWN : stack.pop();
        }

        private void push(ClassDesc type) {
            if (type.equals(ConstantDescs.CD_void)) return;
            stack.push(new Val(typeOf(type), -1, null, null, size(type)));
        }

        private void step(java.lang.classfile.Instruction i) {
            switch (i) {
                case LoadInstruction l -> {
                    Val v = locals.getOrDefault(l.slot(), Val.UNKNOWN);
                    stack.push(l.typeKind().slotSize() == 2 ? Val.WIDE : v);
                }
                case StoreInstruction s -> locals.put(s.slot(), pop());
                case ConstantInstruction k -> {
                    if (k.constantValue() instanceof ClassDesc d) stack.push(new Val(Class.class, -1, null, d, 1));
                    else if (k.opcode() == Opcode.ACONST_NULL) stack.push(Val.of(Void.class)); // nothing to bind
                    else stack.push(k.typeKind().slotSize() == 2 ? Val.WIDE : Val.of(
                            k.constantValue() instanceof String ? String.class : null));
                }
                case InvokeInstruction v -> invoke(v);
                case InvokeDynamicInstruction d -> {
                    for (int n = 0; n < d.typeSymbol().parameterCount(); n++) pop();
                    MethodKey body = null;
                    if (d.bootstrapArgs().size() > 1 && d.bootstrapArgs().get(1)
                            instanceof java.lang.constant.DirectMethodHandleDesc h) {
                        body = new MethodKey(h.owner().descriptorString().replaceAll("^L|;$", ""), h.methodName(),
                                MethodTypeDesc.ofDescriptor(h.lookupDescriptor()));
                    }
                    stack.push(new Val(typeOf(d.typeSymbol().returnType()), -1, null, -1, null, body, 1));
                }
                case FieldInstruction f -> {
                    Type type = fieldType(f);
                    switch (f.opcode()) {
                        case GETSTATIC -> stack.push(new Val(type, -1, null, null, size(f.typeSymbol())));
                        case GETFIELD -> {
                            pop();
                            stack.push(new Val(type, -1, null, null, size(f.typeSymbol())));
                        }
                        case PUTSTATIC -> pop();
                        default -> {
                            pop();
                            pop();
                        }
                    }
                }
                case NewObjectInstruction n -> stack.push(Val.of(load(n.className().asInternalName())));
                case TypeCheckInstruction t -> {
                    pop();
                    stack.push(t.opcode() == Opcode.CHECKCAST ? Val.of(typeOf(t.type().asSymbol())) : Val.UNKNOWN);
                }
                case ReturnInstruction r -> {
                    if (r.typeKind() == TypeKind.REFERENCE && sources.contains(self)) {
                        written(pop(), "return");
                    }
                    stack.clear();
                }
                case ThrowInstruction t -> stack.clear();
                case StackInstruction s -> stackOp(s.opcode());
                case OperatorInstruction o -> {
                    switch (o.opcode()) {
                        case INEG, LNEG, FNEG, DNEG, ARRAYLENGTH -> {
                            Val v = pop();
                            stack.push(o.opcode() == Opcode.ARRAYLENGTH ? Val.UNKNOWN : v);
                        }
                        case LSHL, LSHR, LUSHR -> {
                            pop();
                            pop();
                            stack.push(Val.WIDE);
                        }
                        default -> {
                            pop();
                            pop();
                            stack.push(o.typeKind().slotSize() == 2
                                    && !Set.of(Opcode.LCMP, Opcode.DCMPL, Opcode.DCMPG).contains(o.opcode())
                                    ? Val.WIDE : Val.UNKNOWN);
                        }
                    }
                }
                case ConvertInstruction c -> {
                    pop();
                    stack.push(c.toType().slotSize() == 2 ? Val.WIDE : Val.UNKNOWN);
                }
                case BranchInstruction b -> {
                    switch (b.opcode()) {
                        case GOTO, GOTO_W -> {}
                        case IFEQ, IFNE, IFLT, IFGE, IFGT, IFLE, IFNULL, IFNONNULL -> pop();
                        default -> {
                            pop();
                            pop();
                        }
                    }
                }
                case LookupSwitchInstruction s -> pop();
                case TableSwitchInstruction s -> pop();
                case MonitorInstruction m -> pop();
                case ArrayLoadInstruction a -> {
                    pop();
                    Val array = pop();
                    Type component = array.type() instanceof Class<?> c && c.isArray() ? c.getComponentType()
                            : array.type() instanceof GenericArrayType g ? g.getGenericComponentType() : null;
                    stack.push(a.typeKind().slotSize() == 2 ? Val.WIDE : Val.of(component));
                }
                case ArrayStoreInstruction a -> {
                    pop();
                    pop();
                    pop();
                }
                case NewPrimitiveArrayInstruction a -> {
                    pop();
                    stack.push(Val.UNKNOWN);
                }
                case NewReferenceArrayInstruction a -> {
                    pop();
                    stack.push(Val.of(typeOf(a.componentType().asSymbol().arrayType())));
                }
                case NewMultiArrayInstruction a -> {
                    for (int n = 0; n < a.dimensions(); n++) pop();
                    stack.push(Val.UNKNOWN);
                }
                case IncrementInstruction n -> {}
                default -> {} // nop, and jsr/ret, which javac no longer emits
            }
        }

        private void stackOp(Opcode op) {
            switch (op) {
                case POP -> pop();
                case POP2 -> {
                    if (pop().size() == 1) pop();
                }
                case DUP -> {
                    Val a = pop();
                    stack.push(a);
                    stack.push(a);
                }
                case DUP_X1 -> {
                    Val a = pop(), b = pop();
                    stack.push(a);
                    stack.push(b);
                    stack.push(a);
                }
                case DUP_X2 -> {
                    Val a = pop(), b = pop();
                    if (b.size() == 2) {
                        stack.push(a);
                        stack.push(b);
                    } else {
                        Val c = pop();
                        stack.push(a);
                        stack.push(c);
                        stack.push(b);
                    }
                    stack.push(a);
                }
                case DUP2 -> {
                    Val a = pop();
                    if (a.size() == 2) {
                        stack.push(a);
                        stack.push(a);
                    } else {
                        Val b = pop();
                        stack.push(b);
                        stack.push(a);
                        stack.push(b);
                        stack.push(a);
                    }
                }
                case SWAP -> {
                    Val a = pop(), b = pop();
                    stack.push(a);
                    stack.push(b);
                }
                default -> { // DUP2_X1, DUP2_X2: not emitted for the reference code this looks at; keep the depth
                    Val a = pop();
                    Val b = a.size() == 2 ? null : pop();
                    Val c = pop();
                    if (b != null) stack.push(b);
                    stack.push(a);
                    stack.push(c);
                    if (b != null) stack.push(b);
                    stack.push(a);
                }
            }
        }

        private void invoke(InvokeInstruction v) {
            MethodTypeDesc type = v.typeSymbol();
            Val[] args = new Val[type.parameterCount()];
            for (int n = args.length - 1; n >= 0; n--) args[n] = pop();
            Val receiver = v.opcode() != Opcode.INVOKESTATIC ? pop() : Val.UNKNOWN;
            String ownerName = v.owner().asInternalName();
            MethodKey callee = new MethodKey(ownerName, v.name().stringValue(), type);
            if (sinks.containsKey(callee)) calledForwarders.add(callee);
            if (sources.contains(self) && COLLECTORS.contains(ownerName) && COLLECTING.contains(callee.name())) {
                // the elements of a list a source returns (SseFraming.Shape's events)
                for (int n = 0; n < args.length; n++) {
                    if (type.parameterType(n).descriptorString().equals("Ljava/lang/Object;")) written(args[n], callee.display());
                }
            }
            for (int n = 0; n < args.length; n++) {
                String param = type.parameterType(n).descriptorString();
                boolean readParam = READ_TYPES.contains(param);
                if (MAPPERS.contains(ownerName)) {
                    if (readParam) read(args[n], callee);
                    else if (param.equals("Ljava/lang/Object;") && MAPPER_WRITES.contains(callee.name())) {
                        written(args[n], callee.display());
                    }
                } else if (RESPONSES.contains(ownerName) && param.equals("Ljava/lang/Object;")) {
                    written(args[n], callee.display());
                }
                for (Sink s : sinks.getOrDefault(callee, Set.of())) {
                    if (s.index() != n) continue;
                    if (s.function()) function(args[n], callee);
                    else if (s.read()) read(args[n], callee);
                    else written(args[n], callee.display());
                }
            }
            Type result = ownerName.startsWith(PREFIX) ? returnType(callee) : typeOf(type.returnType());
            if (COLLECTORS.contains(ownerName) && callee.name().equals("of") && args.length > 0
                    && Arrays.stream(args).map(a -> raw(a.type())).distinct().count() == 1
                    && raw(args[0].type()) != Object.class && raw(args[0].type()) != null) {
                // List.of(a, b) of one static type: a List of that type
                stack.push(Val.of(new Generic(List.class, args[0].type())));
            } else if (!type.returnType().equals(ConstantDescs.CD_void)) {
                stack.push(new Val(result, -1, callee, receiver.param(), null, null, size(type.returnType())));
            }
        }

        private void read(Val v, MethodKey callee) {
            String site = self.display() + ":" + line;
            if (v.constant() != null) seed(typeOf(v.constant()), site);
            else if (v.type() instanceof Class<?> c && c != Object.class
                    && com.fasterxml.jackson.core.type.TypeReference.class.isAssignableFrom(c)
                    && c != com.fasterxml.jackson.core.type.TypeReference.class) {
                seed(((ParameterizedType) c.getGenericSuperclass()).getActualTypeArguments()[0], site);
            } else if (v.type() instanceof ParameterizedType p && p.getRawType() == com.fasterxml.jackson.core.type.TypeReference.class) {
                seed(p.getActualTypeArguments()[0], site);
            } else if (v.param() >= 0 && self.owner().startsWith(PREFIX)) {
                sinks.computeIfAbsent(self, k -> new HashSet<>()).add(new Sink(v.param(), true));
            } else {
                untraceable(site + " (read " + callee.display() + ")");
            }
        }

        private void written(Val v, String what) {
            String site = self.display() + ":" + line;
            Class<?> raw = raw(v.type());
            boolean untyped = raw == Object.class || raw != null && java.util.Collection.class.isAssignableFrom(raw)
                    && !(v.type() instanceof ParameterizedType p && raw(p.getActualTypeArguments()[0]) != Object.class);
            boolean collected = v.returnedBy() != null && COLLECTORS.contains(v.returnedBy().owner())
                    || raw == ArrayList.class;
            if (untyped && collected && what.equals("return") && sources.contains(self)) {
                // a list of events a source returns: its elements were followed where they were added
            } else if (raw != null && !untyped) {
                seed(v.type(), site);
            } else if (v.param() >= 0 && self.owner().startsWith(PREFIX)) {
                sinks.computeIfAbsent(self, k -> new HashSet<>()).add(new Sink(v.param(), false));
            } else if (v.returnedBy() != null && v.returnedBy().owner().startsWith(PREFIX)) {
                sources.add(v.returnedBy());
                sources.addAll(implementations(v.returnedBy()));
            } else if (v.returnedBy() != null && v.receiverParam() >= 0 && self.owner().startsWith(PREFIX)) {
                // the result of a function given as a parameter (TextChunkTemplate.of's BiFunction)
                sinks.computeIfAbsent(self, k -> new HashSet<>()).add(new Sink(v.receiverParam(), false, true));
            } else {
                untraceable(site + " (" + what + ")");
            }
        }

        /** A lambda or method reference whose results are written: its body, or the method it names, is a source. */
        private void function(Val v, MethodKey callee) {
            if (v.lambda() != null && v.lambda().owner().startsWith(PREFIX)) {
                sources.add(v.lambda());
                sources.addAll(implementations(v.lambda()));
            } else if (v.param() >= 0 && self.owner().startsWith(PREFIX)) {
                sinks.computeIfAbsent(self, k -> new HashSet<>()).add(new Sink(v.param(), false, true));
            } else {
                untraceable(self.display() + ":" + line + " (function for " + callee.display() + ")");
            }
        }

        private void untraceable(String site) {
            String method = self.display();
            if (UNTRACEABLE.containsKey(method)) untraceableListed.add(method);
            else untraceable.add(site);
        }
    }

    static void seed(Type type, String site) {
        if (type == null) return;
        seeds.add(type);
        seedSites.computeIfAbsent(type.getTypeName(), k -> new TreeSet<>()).add(site);
    }

    /** Every io.quokka method that overrides or implements {@code m}. */
    static List<MethodKey> implementations(MethodKey m) {
        Class<?> owner = load(m.owner());
        List<MethodKey> out = new ArrayList<>();
        for (ClassModel c : classes.values()) {
            for (MethodModel mm : c.methods()) {
                if (!mm.methodName().stringValue().equals(m.name()) || !mm.methodTypeSymbol().equals(m.type())) continue;
                Class<?> candidate = load(c.thisClass().asInternalName());
                if (candidate != null && owner != null && owner.isAssignableFrom(candidate)) {
                    out.add(new MethodKey(c.thisClass().asInternalName(), m.name(), m.type()));
                }
            }
        }
        return out;
    }

    static void jaxrs(Class<?> c) {
        if (c == null) return;
        for (Method m : c.getDeclaredMethods()) {
            boolean resource = Arrays.stream(m.getAnnotations()).anyMatch(a ->
                    a.annotationType().getPackageName().equals("jakarta.ws.rs")
                            && HTTP_METHODS.contains(a.annotationType().getSimpleName()));
            if (!resource) continue;
            jaxrsMethods++;
            String site = c.getName() + "." + m.getName() + " (JAX-RS)";
            seed(m.getGenericReturnType(), site);
            var annotations = m.getParameterAnnotations();
            for (int n = 0; n < m.getParameterCount(); n++) {
                boolean body = Arrays.stream(annotations[n]).noneMatch(a -> {
                    String p = a.annotationType().getPackageName();
                    return p.startsWith("jakarta.ws.rs") || p.startsWith("org.jboss.resteasy.reactive");
                });
                if (body) seed(m.getGenericParameterTypes()[n], site);
            }
        }
    }

    // ---- closure over what Jackson reaches from a bound type ----

    static Set<Class<?>> closure(Set<Type> roots) {
        Set<Class<?>> out = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        Deque<Type> work = new ArrayDeque<>(roots);
        Set<Type> seen = new HashSet<>();
        while (!work.isEmpty()) {
            Type t = work.pop();
            if (t == null || !seen.add(t)) continue;
            switch (t) {
                case ParameterizedType p -> {
                    work.push(p.getRawType());
                    work.addAll(Arrays.asList(p.getActualTypeArguments()));
                }
                case GenericArrayType g -> work.push(g.getGenericComponentType());
                case WildcardType w -> work.addAll(Arrays.asList(w.getUpperBounds()));
                case Class<?> c when c.isArray() -> work.push(c.getComponentType());
                case Class<?> c when c.getName().startsWith("io.quokka.") -> {
                    out.add(c);
                    if (c.isRecord()) {
                        for (RecordComponent rc : c.getRecordComponents()) work.push(rc.getGenericType());
                    } else if (!c.isEnum() && !c.isInterface()) {
                        for (Field f : c.getDeclaredFields()) {
                            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                                work.push(f.getGenericType());
                            }
                        }
                    }
                    if (c.isSealed()) work.addAll(Arrays.asList(c.getPermittedSubclasses()));
                    var subtypes = c.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
                    if (subtypes != null) for (var s : subtypes.value()) work.push(s.value());
                }
                default -> {}
            }
        }
        return out;
    }

    static Set<Class<?>> registered() {
        Set<Class<?>> out = new HashSet<>();
        for (ClassModel model : classes.values()) {
            Class<?> c = load(model.thisClass().asInternalName());
            RegisterForReflection r = c == null ? null : c.getAnnotation(RegisterForReflection.class);
            if (r == null) continue;
            if (r.targets().length == 0 && r.classNames().length == 0) out.add(c);
            out.addAll(Arrays.asList(r.targets()));
            for (String name : r.classNames()) out.add(load(name.replace('.', '/')));
        }
        return out;
    }

    // ---- types ----

    static Type returnType(MethodKey m) {
        Method method = find(load(m.owner()), m.name(), m.type());
        return method != null ? method.getGenericReturnType() : typeOf(m.type().returnType());
    }

    static Method find(Class<?> c, String name, MethodTypeDesc type) {
        if (c == null) return null;
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && MethodTypeDesc.ofDescriptor(descriptor(m)).equals(type)) return m;
        }
        Method m = find(c.getSuperclass(), name, type);
        for (Class<?> i : c.getInterfaces()) if (m == null) m = find(i, name, type);
        return m;
    }

    static String descriptor(Method m) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) sb.append(p.descriptorString());
        return sb.append(')').append(m.getReturnType().descriptorString()).toString();
    }

    static Type fieldType(FieldInstruction f) {
        String owner = f.owner().asInternalName();
        if (owner.startsWith(PREFIX)) {
            for (Class<?> c = load(owner); c != null; c = c.getSuperclass()) {
                try {
                    return c.getDeclaredField(f.name().stringValue()).getGenericType();
                } catch (NoSuchFieldException e) {
                    // in a superclass
                }
            }
        }
        return typeOf(f.typeSymbol());
    }

    /** {@code raw<argument>}, for a {@code List.of(...)} whose elements have one static type. */
    record Generic(Class<?> raw, Type argument) implements ParameterizedType {
        public Type[] getActualTypeArguments() {
            return new Type[] {argument};
        }

        public Type getRawType() {
            return raw;
        }

        public Type getOwnerType() {
            return null;
        }
    }

    static Class<?> raw(Type t) {
        return switch (t) {
            case Class<?> c -> c;
            case ParameterizedType p -> (Class<?>) p.getRawType();
            case GenericArrayType g -> Object[].class;
            case null, default -> null;
        };
    }

    static int size(ClassDesc d) {
        return d.equals(ConstantDescs.CD_long) || d.equals(ConstantDescs.CD_double) ? 2 : 1;
    }

    static Type typeOf(ClassDesc d) {
        if (d.isPrimitive()) return null;
        if (d.isArray()) {
            Type component = typeOf(d.componentType());
            return component instanceof Class<?> c ? c.arrayType() : Object[].class;
        }
        return load(d.descriptorString().substring(1, d.descriptorString().length() - 1));
    }

    static final Map<String, Class<?>> LOADED = new HashMap<>();

    static Class<?> load(String internalName) {
        return LOADED.computeIfAbsent(internalName, n -> {
            try {
                return Class.forName(n.replace('/', '.'), false, NativeReachabilityTest.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        });
    }

    static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    static boolean glob(String glob, String path) {
        String regex = Pattern.quote(glob.trim()).replace("**", "\u0000").replace("*", "\\E[^/]*\\Q")
                .replace("\u0000", "\\E.*\\Q");
        return path.matches(regex);
    }
}
