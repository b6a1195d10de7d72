package io.quokka.api.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One model of {@code GET /v1/models}, or the answer of {@code GET /v1/models/{model}}.
 *
 * @param id       the model name ({@code /api/tags}' {@code model})
 * @param object   "model"
 * @param created  Unix seconds of the model's last modification
 * @param owned_by the name's namespace: "library" for official models, else the user's name
 */
@RegisterForReflection
public record Model(String id, String object, long created, String owned_by) {}
