package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** Body of {@code GET /api/ps}. @param models the loaded models */
@RegisterForReflection
public record ProcessResponse(List<ProcessModelResponse> models) {}
