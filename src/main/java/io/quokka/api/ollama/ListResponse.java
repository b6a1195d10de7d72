package io.quokka.api.ollama;

import java.util.List;

/** Body of {@code GET /api/tags}. @param models the local models */
public record ListResponse(List<ListModelResponse> models) {}
