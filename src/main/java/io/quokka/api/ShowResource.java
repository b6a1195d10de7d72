package io.quokka.api;

import io.quokka.api.ollama.ShowMemory;
import io.quokka.api.ollama.ShowRequest;
import io.quokka.api.ollama.ShowResponse;
import io.quokka.api.ollama.Timestamps;
import io.quokka.generation.Capabilities;
import io.quokka.generation.GgufInspector;
import io.quokka.generation.InvalidRequestException;
import io.quokka.generation.ModelNotFoundException;
import io.quokka.generation.ModelUnusableException;
import io.quokka.generation.Options;
import io.quokka.generation.OptionsParser;
import io.quokka.generation.StoreModelResolver;
import io.quokka.config.QuokkaConfig;
import io.quokka.engine.KvCacheType;
import io.quokka.engine.LoadRequest;
import io.quokka.scheduler.memory.InsufficientMemoryException;
import io.quokka.scheduler.memory.MemoryBudget;
import io.quokka.scheduler.memory.MemoryEstimate;
import io.quokka.scheduler.memory.MemoryGuard;
import io.quokka.gguf.GgufFile;
import io.quokka.store.ModelName;
import io.quokka.store.StoreException;
import io.quokka.store.StoredModel;
import io.quokka.template.PromptTemplate;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /api/show}: the store's layers and the GGUF header, read without loading anything. Arrays longer
 * than five elements (the vocabulary) are emptied unless {@code verbose}, as Ollama does.
 */
@Path("/api/show")
public class ShowResource {
    private final StoreModelResolver resolver;
    private final RequestBodies bodies;
    private final GgufInspector inspector;
    private final QuokkaConfig config;
    private final MemoryGuard guard;

    ShowResource(StoreModelResolver resolver, RequestBodies bodies, GgufInspector inspector, QuokkaConfig config,
                 MemoryGuard guard) {
        this.resolver = resolver;
        this.bodies = bodies;
        this.inspector = inspector;
        this.config = config;
        this.guard = guard;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public ShowResponse show(byte[] body) {
        ShowRequest req = bodies.decode(body, ShowRequest.class);
        String requested = req.model() != null && !req.model().isEmpty() ? req.model() : req.name();
        if (requested == null || requested.isEmpty()) throw new InvalidRequestException("model is required");
        StoredModel m = resolver.find(requested); // an alias shows its target
        boolean verbose = Boolean.TRUE.equals(req.verbose());
        try {
            GgufFile gguf = inspector.inspect(m.modelBlob());
            String template = m.template().orElse(null);
            return new ShowResponse(String.join("\n", m.license()), modelfile(m, m.name()), parameters(m.params()),
                    shownTemplate(template, gguf), m.system().orElse(null), ModelsResource.details(m.config(), m.parentModel().orElse("")),
                    modelInfo(gguf, verbose), Capabilities.of(template, gguf, m.hasProjector()),
                    Timestamps.format(m.modifiedAt(), ZoneId.systemDefault()), memory(m, gguf));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.MISSING_BLOB) throw new ModelNotFoundException(requested);
            throw new ModelUnusableException(e.getMessage(), e);
        }
    }

    /** The memory estimate at the options a request without any would load with (see {@link ShowMemory}). */
    private ShowMemory memory(StoredModel m, GgufFile gguf) {
        int defaultCtx = config.contextLength();
        long trained = gguf.contextLength();
        if (trained > 0) defaultCtx = (int) Math.min(defaultCtx, trained);
        Options o = OptionsParser.parse(new OptionsParser.Defaults(defaultCtx, 1), m.params(), null);
        int numCtx = trained > 0 ? (int) Math.min(o.numCtx(), trained) : o.numCtx();
        int parallel = Math.max(1, config.numParallel());
        LoadRequest load = new LoadRequest(m.modelBlob(), numCtx * parallel, o.numBatch(), 1, parallel, o.useMmap(),
                config.flashAttention(), KvCacheType.parse(config.kvCacheType()).orElse(KvCacheType.F16));
        MemoryBudget.Available available = guard.budget().available(0);
        MemoryEstimate e = guard.estimate(gguf, load.numCtx(), load.numBatch(), load.kvCacheType(), load.flashAttention());
        Integer fits = null;
        String error = null;
        try {
            fits = guard.plan(gguf, load, available).estimate().contextLength();
        } catch (InsufficientMemoryException refused) {
            error = refused.getMessage();
        }
        return new ShowMemory(e.weights(), e.kvCache(), e.compute(), e.runtime(), e.total(), e.contextLength(), e.batch(),
                e.kvCacheType().name().toLowerCase(java.util.Locale.ROOT), available.bytes(), available.source(), fits, error);
    }

    static Map<String, Object> modelInfo(GgufFile gguf, boolean verbose) {
        Map<String, Object> info = new LinkedHashMap<>();
        gguf.metadata().forEach((key, value) -> {
            if (key.equals("general.name") || key.equals("tokenizer.chat_template")) return;
            if (!verbose && value instanceof List<?> list && list.size() > 5) value = List.of();
            info.put(key, value);
        });
        info.putIfAbsent("general.parameter_count", gguf.parameterCount());
        return new TreeMap<>(info);
    }

    /** Params as {@code ollama show --parameters} prints them: the key padded to 30, the value Go-quoted. */
    static String parameters(Map<String, Object> params) {
        List<String> lines = new ArrayList<>();
        new TreeMap<>(params).forEach((k, v) -> {
            for (Object item : v instanceof List<?> list ? list : List.of(v)) {
                lines.add(String.format("%-30s %s", k, goQuoted(item)));
            }
        });
        return String.join("\n", lines);
    }

    /**
     * The template Ollama's show reports: the template layer; without one, the GGUF's chat template when it has one
     * (chat goes through it), else Ollama's default, {@code {{ .Prompt }}}.
     */
    static String shownTemplate(String layer, GgufFile gguf) {
        if (layer != null) return layer;
        return gguf.chatTemplate().filter(t -> !t.isEmpty()).orElse(PromptTemplate.DEFAULT_TEXT);
    }

    /**
     * The Modelfile as Ollama's {@code Model.String} writes it: a {@code TEMPLATE} line always (a model without a
     * template layer has Ollama's default), each value quoted as {@link #modelfileQuoted} says.
     */
    private static String modelfile(StoredModel m, ModelName name) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Modelfile generated by \"ollama show\"\n");
        sb.append("# To build a new Modelfile based on this, replace FROM with:\n");
        sb.append("# FROM ").append(name.displayShortest()).append("\n\n");
        sb.append("FROM ").append(m.modelBlob()).append('\n');
        sb.append("TEMPLATE ").append(modelfileQuoted(m.template().orElse(PromptTemplate.DEFAULT_TEXT))).append('\n');
        m.system().ifPresent(s -> sb.append("SYSTEM ").append(modelfileQuoted(s)).append('\n'));
        new TreeMap<>(m.params()).forEach((k, v) -> {
            for (Object item : v instanceof List<?> list ? list : List.of(v)) {
                sb.append("PARAMETER ").append(k).append(' ').append(modelfileQuoted(String.valueOf(item))).append('\n');
            }
        });
        m.license().forEach(l -> sb.append("LICENSE ").append(modelfileQuoted(l)).append('\n'));
        m.messages().forEach(msg -> sb.append("MESSAGE ").append(msg.role()).append(' ')
                .append(modelfileQuoted(msg.content())).append('\n'));
        return sb.toString();
    }

    /**
     * A Modelfile value as Ollama's parser writes it: one with a newline, or a space at either end, is quoted —
     * {@code """...""" } when it holds a {@code "}, else {@code "..."} — and any other is left bare. Nothing is escaped.
     */
    static String modelfileQuoted(String value) {
        if (!value.contains("\n") && !value.startsWith(" ") && !value.endsWith(" ")) return value;
        return value.contains("\"") ? "\"\"\"" + value + "\"\"\"" : "\"" + value + "\"";
    }

    private static String goQuoted(Object value) {
        if (!(value instanceof String s)) return String.valueOf(value);
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
