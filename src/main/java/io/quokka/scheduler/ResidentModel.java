package io.quokka.scheduler;

import java.time.Instant;

/**
 * A snapshot of a loaded model for {@code /api/ps}.
 *
 * @param spec          what was loaded
 * @param contextLength the context the runner allocated
 * @param sizeBytes     memory the model occupies (runner RSS when known)
 * @param expiresAt     when keep-alive will unload it if no request comes
 * @param inUse         requests holding it right now
 */
public record ResidentModel(ModelSpec spec, int contextLength, long sizeBytes, Instant expiresAt, int inUse) {}
