package dev.eddy.config.rest;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Adds the browser security headers to every answer of the API and the dashboard (static files and errors too): a
 * Content-Security-Policy fitted to the dashboard (its scripts, styles and API calls come from this origin; it uses
 * no inline script or style attribute), no framing, no referrer, no content sniffing. Swagger UI ({@code /q/swagger-ui})
 * keeps the other headers but no CSP: it runs inline scripts of its own.
 */
@ApplicationScoped
public class SecurityHeaders {

    /** The dashboard's needs: everything from this origin, SVG charts built in the DOM, nothing framed or framing. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String path = rc.normalizedPath();
            rc.addHeadersEndHandler(done -> {
                MultiMap headers = rc.response().headers();
                if (!path.startsWith("/q/swagger-ui")) {
                    headers.set("Content-Security-Policy", CSP);
                }
                headers.set("X-Frame-Options", "DENY");
                headers.set("Referrer-Policy", "no-referrer");
                headers.set("X-Content-Type-Options", "nosniff");
            });
            rc.next();
        }, 100);
    }
}
