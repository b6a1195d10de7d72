package io.quokka.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Ollama's server ignores the {@code Accept} header: each endpoint answers in its one format. Clients rely on that
 * (some send {@code Accept: application/x-ndjson} to {@code /api/tags}, others {@code application/json} to a streamed
 * {@code /api/chat}), while JAX-RS would answer 406 where a resource's declared type does not match. The header is
 * dropped on the API paths before the resources see it; {@code /q/*} (metrics' format negotiation) keeps it.
 */
@Singleton
public class AcceptTolerance {
    /** Ahead of the resources and of Quarkus' own routes. */
    static final int ORDER = -10;

    void register(@Observes Router router) {
        router.route("/api/*").order(ORDER).handler(ctx -> {
            ctx.request().headers().remove(HttpHeaders.ACCEPT);
            ctx.next();
        });
        router.route("/v1/*").order(ORDER).handler(ctx -> {
            ctx.request().headers().remove(HttpHeaders.ACCEPT);
            ctx.next();
        });
    }
}
