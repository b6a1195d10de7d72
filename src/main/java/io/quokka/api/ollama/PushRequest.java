package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /api/push} (not implemented: 501).
 *
 * @param model    the model to push
 * @param name     deprecated spelling of {@code model}
 * @param insecure allow plain HTTP to the registry
 * @param stream   stream status lines
 */
@RegisterForReflection
public record PushRequest(String model, String name, Boolean insecure, Boolean stream) {}
