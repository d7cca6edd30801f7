package dev.eddy.config.rest;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Body limits per route, checked before a byte of the body is read: {@value #WEBHOOK_LIMIT} bytes for the webhook
 * bridges (whose HMAC is checked only once the body is in), {@value #MANIFEST_LIMIT} for dbt manifest uploads (and
 * {@code quarkus.http.limits.max-body-size} is that, the ceiling for every route), {@value #DEFAULT_LIMIT} for every
 * other route. A declared {@code Content-Length} over the limit is answered 413 at once and the connection closed; a
 * chunked body on a route with a smaller limit than the ceiling is read through Vert.x's {@link BodyHandler} with that
 * limit (413 past it; the REST layer then uses the body read). The manifest route's body is read only after
 * {@link ApiKeyFilter} accepted the key: request filters run before the REST layer reads a body.
 */
@Singleton
public class RequestLimits {

    /** Every route but those below: far above any model, sync or Git Sync body, with room for a field too long (a 422). */
    public static final long DEFAULT_LIMIT = 2 * 1024 * 1024;
    /** {@code /webhooks/...}: dbt Cloud and Fivetran events are a few kilobytes. */
    public static final long WEBHOOK_LIMIT = 256 * 1024;
    /** {@code /api/v1/dbt/manifest}: large dbt projects' manifests run to tens of megabytes. */
    public static final long MANIFEST_LIMIT = 64L * 1024 * 1024;

    // before Quarkus' own routes and the REST layer
    private static final int ORDER = -1_000;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    /** The body limit of a request path. */
    static long limitOf(String path) {
        String p = path == null ? "" : path.replaceAll("/{2,}", "/");
        if (p.startsWith("/webhooks/") || p.equals("/webhooks")) {
            return WEBHOOK_LIMIT;
        }
        if (p.equals("/api/v1/dbt/manifest") || p.equals("/api/v1/dbt/manifest/")) {
            return MANIFEST_LIMIT;
        }
        return DEFAULT_LIMIT;
    }

    private void check(RoutingContext context) {
        long limit = limitOf(context.request().path());
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                refuse(context, 400, "Content-Length is not a number");
                return;
            }
            if (length > limit) {
                refuse(context, 413, "the body may have at most " + limit + " bytes on this route, not " + length);
                return;
            }
            context.next();
            return;
        }
        String encoding = context.request().getHeader(HttpHeaders.TRANSFER_ENCODING);
        if (encoding != null && limit < MANIFEST_LIMIT) {
            // a chunked body has no length up front: read it here, bounded by this route's limit
            BodyHandler.create(false).setBodyLimit(limit).handle(context);
            return;
        }
        context.next();
    }

    private static void refuse(RoutingContext context, int status, String message) {
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end("{\"message\": \"" + message + "\"}");
    }
}
