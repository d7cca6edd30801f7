package dev.eddy.config.rest;

import dev.eddy.config.rest.Views.ApiKeyView;
import dev.eddy.config.rest.Views.CreatedApiKeyView;
import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.service.ApiKeys;
import dev.eddy.config.service.ApiKeys.CreatedKey;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/** {@code /api/v1/api-keys}: keys are shown once, at creation; only their hashes are stored. */
@Path("/api/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    private final ApiKeys keys;

    public ApiKeyResource(ApiKeys keys) {
        this.keys = keys;
    }

    @POST
    @ResponseStatus(201)
    public CreatedApiKeyView create(String body) {
        CreatedKey created = keys.create(RequestBodies.object(body, false));
        return new CreatedApiKeyView(Long.toString(created.stored().id()), created.stored().name(),
                Views.iso(created.stored().createdAt()), created.key());
    }

    @GET
    public Page<ApiKeyView> list() {
        return new Page<>(keys.list().stream().map(k -> new ApiKeyView(Long.toString(k.id()), k.name(), Views.iso(k.createdAt()),
                Views.iso(k.revokedAt()))).toList());
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void revoke(@PathParam("id") String id) {
        keys.revoke(id);
    }
}
