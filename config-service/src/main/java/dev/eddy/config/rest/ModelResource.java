package dev.eddy.config.rest;

import dev.eddy.config.rest.Views.ModelView;
import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.QueryParams;
import dev.eddy.config.service.ValidationException;
import dev.eddy.config.warehouse.WarehouseProbe;
import dev.eddy.config.warehouse.WarehouseProbe.Preview;
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

/** {@code /api/v1/models}: queries on sources, each with a primary key. */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final Catalog catalog;

    public ModelResource(Catalog catalog) {
        this.catalog = catalog;
    }

    @POST
    // 200 with the object, as Hightouch answers a create: its generated SDKs take any other status as unknown
    @ResponseStatus(200)
    public ModelView create(String body) {
        return Views.model(catalog.createModel(RequestBodies.object(body, false)));
    }

    @GET
    public Page<ModelView> list(@QueryParam("slug") String slug, @QueryParam("name") String name,
                                @QueryParam("limit") String limit, @QueryParam("offset") String offset,
                                @QueryParam("orderBy") String orderBy) {
        return new Page<>(catalog.models(QueryParams.list(slug, name, null, null, null, limit, offset, orderBy))
                .stream().map(Views::model).toList());
    }

    @GET
    @Path("/{id}")
    public ModelView get(@PathParam("id") String id) {
        return Views.model(catalog.model(id));
    }

    @PATCH
    @Path("/{id}")
    public ModelView update(@PathParam("id") String id, String body) {
        return Views.model(catalog.updateModel(id, RequestBodies.object(body, false)));
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("id") String id) {
        catalog.deleteModel(id);
    }

    /** The model's column names and types and its first rows (at most 100; {@code ?limit=} to ask for fewer). */
    @POST
    @Path("/{id}/preview")
    public Preview preview(@PathParam("id") String id, @QueryParam("limit") String limit) {
        int rows = WarehouseProbe.MAX_PREVIEW_ROWS;
        if (limit != null && !limit.isBlank()) {
            if (!limit.trim().matches("\\d{1,3}") || Integer.parseInt(limit.trim()) > WarehouseProbe.MAX_PREVIEW_ROWS) {
                throw ValidationException.of("limit", "must be a whole number between 0 and " + WarehouseProbe.MAX_PREVIEW_ROWS);
            }
            rows = Integer.parseInt(limit.trim());
        }
        return catalog.previewModel(id, rows);
    }
}
