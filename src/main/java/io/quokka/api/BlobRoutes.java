package io.quokka.api;

import io.quokka.api.ollama.ErrorResponse;
import io.quokka.generation.InvalidRequestException;
import io.quokka.models.ModelManager;
import io.quokka.store.Digest;
import io.quokka.store.StoreException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * {@code HEAD /api/blobs/:digest} (200 present, 404 absent) and {@code POST /api/blobs/:digest} (201 written, 200
 * already there, 400 when the bytes do not hash to the digest). Plain Vert.x routes ahead of the body-size limit,
 * because a model upload is gigabytes: the body streams, paused while the disk catches up, into a temporary file on a
 * virtual thread, hashed on the way, and is renamed under its digest only when the digest matches.
 */
@Singleton
public class BlobRoutes {
    private static final Logger LOG = Logger.getLogger(BlobRoutes.class);
    /** Before Quarkus' upload limit ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2), which would refuse them. */
    static final int ORDER = -3;
    private static final String PATH = "/api/blobs/:digest";

    private final ModelManager manager;

    BlobRoutes(ModelManager manager) {
        this.manager = manager;
    }

    void register(@Observes Router router) {
        router.route(HttpMethod.HEAD, PATH).order(ORDER).handler(this::head);
        router.route(HttpMethod.POST, PATH).order(ORDER).handler(this::upload);
    }

    private void head(RoutingContext ctx) {
        String raw = ctx.pathParam("digest");
        Thread.ofVirtual().name("blob-head").start(() -> {
            try {
                Digest digest = ModelManager.digest(raw);
                if (manager.hasBlob(digest)) {
                    ctx.response().setStatusCode(200).end();
                } else {
                    error(ctx.response(), 404, "blob \"" + raw + "\" not found");
                }
            } catch (InvalidRequestException e) {
                error(ctx.response(), 400, e.getMessage());
            }
        });
    }

    private void upload(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String raw = ctx.pathParam("digest");
        request.pause();
        var context = ctx.vertx().getOrCreateContext();
        RequestBodyStream body = new RequestBodyStream(request, context);
        Thread.ofVirtual().name("blob-upload").start(() -> {
            try {
                boolean created = manager.putBlob(raw, body);
                ctx.response().setStatusCode(created ? 201 : 200).end();
            } catch (InvalidRequestException e) {
                error(ctx.response(), 400, e.getMessage());
            } catch (StoreException e) {
                LOG.warnf("blob upload %s failed: %s", raw, e.getMessage());
                error(ctx.response(), 500, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("blob upload failed", e);
                error(ctx.response(), 500, String.valueOf(e.getMessage()));
            } finally {
                // An answer given before the body was read (blob present, bad digest): discard the rest.
                if (!body.finished()) context.runOnContext(v -> body.discardRest());
            }
        });
    }

    private static void error(HttpServerResponse response, int status, String message) {
        if (response.ended() || response.closed()) return;
        response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(Json.encode(new ErrorResponse(message)));
    }
}
