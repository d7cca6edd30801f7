package dev.eddy.config.rest;

import dev.eddy.config.rest.Views.DestinationView;
import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.QueryParams;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/** {@code /api/v1/destinations}: where syncs send their changes. */
@Path("/api/v1/destinations")
@Produces(MediaType.APPLICATION_JSON)
public class DestinationResource {

    private final Catalog catalog;

    public DestinationResource(Catalog catalog) {
        this.catalog = catalog;
    }

    @POST
    // 200 with the object, as Hightouch answers a create: its generated SDKs take any other status as unknown
    @ResponseStatus(200)
    public DestinationView create(String body) {
        return Views.destination(catalog.createDestination(RequestBodies.object(body, false)));
    }

    @GET
    public Page<DestinationView> list(@QueryParam("slug") String slug, @QueryParam("name") String name,
                                      @QueryParam("limit") String limit, @QueryParam("offset") String offset,
                                      @QueryParam("orderBy") String orderBy) {
        return new Page<>(catalog.destinations(QueryParams.list(slug, name, null, null, null, limit, offset, orderBy))
                .stream().map(Views::destination).toList());
    }

    @GET
    @Path("/{id}")
    public DestinationView get(@PathParam("id") String id) {
        return Views.destination(catalog.destination(id));
    }

    @PATCH
    @Path("/{id}")
    public DestinationView update(@PathParam("id") String id, String body) {
        return Views.destination(catalog.updateDestination(id, RequestBodies.object(body, false)));
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("id") String id) {
        catalog.deleteDestination(id);
    }
}
