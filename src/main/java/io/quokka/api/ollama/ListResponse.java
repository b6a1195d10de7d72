package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** Body of {@code GET /api/tags}. @param models the local models */
@RegisterForReflection
public record ListResponse(List<ListModelResponse> models) {}
