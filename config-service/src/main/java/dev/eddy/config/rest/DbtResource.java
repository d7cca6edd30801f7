package dev.eddy.config.rest;

import dev.eddy.config.service.DbtManifests;
import dev.eddy.config.service.DbtManifests.UploadResult;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/dbt/manifest}: upload dbt's {@code target/manifest.json} so {@code dbt_model} models resolve to compiled SQL. */
@Path("/api/v1/dbt/manifest")
@Produces(MediaType.APPLICATION_JSON)
public class DbtResource {

    private final DbtManifests manifests;

    public DbtResource(DbtManifests manifests) {
        this.manifests = manifests;
    }

    @POST
    public UploadResult upload(String body) {
        return manifests.upload(RequestBodies.object(body, false));
    }
}
