package dev.eddy.config.rest;

import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.rest.Views.ModelView;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.store.CatalogStore.Filter;
import jakarta.ws.rs.GET;
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
    @ResponseStatus(201)
    public ModelView create(String body) {
        return Views.model(catalog.createModel(RequestBodies.object(body, false)));
    }

    @GET
    public Page<ModelView> list(@QueryParam("slug") String slug, @QueryParam("name") String name) {
        return new Page<>(catalog.models(new Filter(slug, name)).stream().map(Views::model).toList());
    }

    @GET
    @Path("/{id}")
    public ModelView get(@PathParam("id") String id) {
        return Views.model(catalog.model(id));
    }
}
