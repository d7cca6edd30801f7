package dev.eddy.delivery.api;

import dev.eddy.contracts.secrets.InternalCredential;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every route of delivery-service but Quarkus' own {@code /q/...} (health, for the launcher and probes) needs the
 * internal credential only config-service holds ({@link InternalCredential#HEADER}); without it, 401 with no detail.
 * Pre-matching, so nothing of the request is routed or read before the check.
 */
public class InternalCredentialFilter {

    private final InternalCredential credential;

    public InternalCredentialFilter(InternalCredential credential) {
        this.credential = credential;
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/q/")) {
            return null;
        }
        if (credential.accepts(request.getHeaderString(InternalCredential.HEADER))) {
            return null;
        }
        return Response.status(Response.Status.UNAUTHORIZED).build();
    }
}
