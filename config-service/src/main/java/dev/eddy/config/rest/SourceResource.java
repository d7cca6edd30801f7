package dev.eddy.config.rest;

import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.rest.Views.SourceView;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.QueryParams;
import dev.eddy.config.warehouse.WarehouseProbe.TestResult;
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

/** {@code /api/v1/sources}: warehouse connections. */
@Path("/api/v1/sources")
@Produces(MediaType.APPLICATION_JSON)
public class SourceResource {

    private final Catalog catalog;

    public SourceResource(Catalog catalog) {
        this.catalog = catalog;
    }

    @POST
    // 200 with the object, as Hightouch answers a create: its generated SDKs take any other status as unknown
    @ResponseStatus(200)
    public SourceView create(String body) {
        return Views.source(catalog.createSource(RequestBodies.object(body, false)));
    }

    @GET
    public Page<SourceView> list(@QueryParam("slug") String slug, @QueryParam("name") String name,
                                 @QueryParam("limit") String limit, @QueryParam("offset") String offset,
                                 @QueryParam("orderBy") String orderBy) {
        return new Page<>(catalog.sources(QueryParams.list(slug, name, null, null, null, limit, offset, orderBy))
                .stream().map(Views::source).toList());
    }

    @GET
    @Path("/{id}")
    public SourceView get(@PathParam("id") String id) {
        return Views.source(catalog.source(id));
    }

    @PATCH
    @Path("/{id}")
    public SourceView update(@PathParam("id") String id, String body) {
        return Views.source(catalog.updateSource(id, RequestBodies.object(body, false)));
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("id") String id) {
        catalog.deleteSource(id);
    }

    /** Tries the connection: {@code {"success": true}} or {@code {"success": false, "message": <driver's message>}}. */
    @POST
    @Path("/{id}/test")
    public TestResult test(@PathParam("id") String id) {
        return catalog.testSource(id);
    }
}
