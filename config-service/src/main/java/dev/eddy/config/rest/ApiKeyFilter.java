package dev.eddy.config.rest;

import dev.eddy.config.service.ApiKeys;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;

/** Every {@code /api/v1} call needs {@code Authorization: Bearer <key>} naming a stored, unrevoked key; 401 otherwise. */
public class ApiKeyFilter {

    private static final String BEARER = "bearer ";
    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
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
        if (!keys.isValid(header.substring(BEARER.length()).trim())) {
            return unauthorized("the API key is not valid");
        }
        return null;
    }

    private static Response unauthorized(String message) {
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").entity(Map.of("message", message)).build();
    }
}
