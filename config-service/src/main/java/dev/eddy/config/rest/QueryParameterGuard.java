package dev.eddy.config.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Map;

/**
 * Refuses a NUL character or an over-long value in any query parameter or path segment of the API, with a 422
 * naming it, before a resource passes it to PostgreSQL (which cannot store NUL and would answer a 500).
 */
public class QueryParameterGuard {

    @ServerRequestFilter
    public void check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return;
        }
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            InputGuard.checkParameter(parameter.getKey().indexOf('\0') >= 0 ? "query" : parameter.getKey(), parameter.getKey());
            for (String value : parameter.getValue()) {
                InputGuard.checkParameter(parameter.getKey(), value);
            }
        }
        InputGuard.checkParameter("path", request.getUriInfo().getPath());
    }
}
