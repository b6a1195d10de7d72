package io.quokka.api.ollama;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code POST /api/pull} (Ollama's {@code api.PullRequest}).
 *
 * @param model    what to pull: {@code [host/][namespace/]model[:tag]} from an Ollama-protocol registry,
 *                 {@code hf.co/<user>/<repo>[:<quant>]}, or an {@code https://.../file.gguf} URL
 * @param insecure allow plain http to the registry (an https name is then fetched over http, as Ollama does)
 * @param username deprecated, ignored
 * @param password deprecated, ignored
 * @param stream   false answers one JSON object when the pull ends; absent or true streams NDJSON progress
 * @param name     deprecated spelling of {@code model}
 */
@RegisterForReflection
public record PullRequest(String model, Boolean insecure, String username, String password, Boolean stream,
                          String name) {}
