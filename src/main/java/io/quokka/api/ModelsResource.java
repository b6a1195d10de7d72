package io.quokka.api;

import io.quokka.api.ollama.ListModelResponse;
import io.quokka.api.ollama.ListResponse;
import io.quokka.api.ollama.ModelDetails;
import io.quokka.api.ollama.ProcessModelResponse;
import io.quokka.api.ollama.ProcessResponse;
import io.quokka.api.ollama.Timestamps;
import io.quokka.generation.StoreModelResolver;
import io.quokka.scheduler.ResidentModel;
import io.quokka.scheduler.Scheduler;
import io.quokka.store.ModelConfig;
import io.quokka.store.StoredModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.ZoneId;
import java.util.List;

/**
 * {@code GET /api/tags} and {@code GET /api/ps}: read-only views that never load a model or touch a keep-alive
 * timer, so polling them keeps nothing awake.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    private final StoreModelResolver resolver;
    private final Scheduler scheduler;

    ModelsResource(StoreModelResolver resolver, Scheduler scheduler) {
        this.resolver = resolver;
        this.scheduler = scheduler;
    }

    @GET
    @Path("/tags")
    public ListResponse tags() {
        // Aliases are listed under their own name with their target's digest and details, like a copy.
        List<ListModelResponse> models = resolver.list().stream()
                .map(l -> {
                    StoredModel m = l.model();
                    return new ListModelResponse(l.name(), l.name(),
                            Timestamps.format(m.modifiedAt(), ZoneId.systemDefault()), m.size(), m.digest(),
                            details(m.config(), m.parentModel().orElse("")));
                })
                .toList();
        return new ListResponse(models);
    }

    @GET
    @Path("/ps")
    public ProcessResponse ps() {
        List<ProcessModelResponse> models = scheduler.resident().stream().map(ModelsResource::process).toList();
        return new ProcessResponse(models);
    }

    private static ProcessModelResponse process(ResidentModel r) {
        ModelDetails details = r.spec().description() instanceof ModelConfig config ? details(config, "") : null;
        return new ProcessModelResponse(r.spec().name(), r.spec().name(), r.sizeBytes(), r.spec().digest(), details,
                Timestamps.format(r.expiresAt(), ZoneId.systemDefault()), 0, r.contextLength());
    }

    static ModelDetails details(ModelConfig c, String parent) {
        return new ModelDetails(parent, c.modelFormat().isEmpty() ? "gguf" : c.modelFormat(), c.modelFamily(),
                c.modelFamilies(), c.modelType(), c.fileType());
    }
}
