package io.quokka.api.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** {@code GET /v1/models}. @param object "list" @param data the models, most recently modified first */
@RegisterForReflection
public record ModelList(String object, List<Model> data) {}
