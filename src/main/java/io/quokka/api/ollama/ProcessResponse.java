package io.quokka.api.ollama;

import java.util.List;

/** Body of {@code GET /api/ps}. @param models the loaded models */
public record ProcessResponse(List<ProcessModelResponse> models) {}
