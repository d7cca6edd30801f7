package dev.eddy.config.rest;

import dev.eddy.config.service.ApiKeys;
import dev.eddy.config.service.CurrentActor;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;
import java.util.Optional;

/** Every {@code /api/v1} call needs {@code Authorization: Bearer <key>} naming a stored, unrevoked key; 401 otherwise. */
public class ApiKeyFilter {

    private static final String BEARER = "bearer ";
    private final ApiKeys keys;
    private final CurrentActor actor;

    public ApiKeyFilter(ApiKeys keys, CurrentActor actor) {
        this.keys = keys;
        this.actor = actor;
    }

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return unauthorized("an API key is required: send Authorization: Bearer <key>");
        }
        Optional<String> name = keys.nameOf(header.substring(BEARER.length()).trim());
        if (name.isEmpty()) {
            return unauthorized("the API key is not valid");
        }
        actor.set(name.get());
        return null;
    }

    private static Response unauthorized(String message) {
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").entity(Map.of("message", message)).build();
    }
}
