package dev.eddy.config.rejections;

import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.ValidationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;

/**
 * {@code GET /api/v1/syncs/{id}/runs/{runId}/rejections?limit=&offset=}: the rows of a run a destination
 * rejected or delivery could not deliver, with their reasons, in delivery order.
 */
@Path("/api/v1/syncs/{id}/runs/{runId}/rejections")
public class RejectionResource {

    /** One rejected row: {@code status} is {@code rejected} (refused by the destination) or {@code failed}. */
    public record RejectionView(String primaryKey, String op, String status, String reason) {
    }

    /** The page, Hightouch's list shape. */
    public record Page(List<RejectionView> data) {
    }

    private final RejectionStore store;

    public RejectionResource(RejectionStore store) {
        this.store = store;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Page list(@PathParam("id") String id, @PathParam("runId") String runId,
                     @QueryParam("limit") Integer limit, @QueryParam("offset") Integer offset) throws SQLException {
        long syncId = Catalog.parseId("sync", id);
        long run = Catalog.parseId("run", runId);
        int size = limit == null ? 100 : limit;
        int from = offset == null ? 0 : offset;
        if (size < 1 || size > 1000) {
            throw ValidationException.of("limit", "must be between 1 and 1000");
        }
        if (from < 0) {
            throw ValidationException.of("offset", "must not be negative");
        }
        return new Page(store.page(syncId, run, size, from).stream()
                .map(r -> new RejectionView(r.primaryKey(), r.op(), r.status(), r.reason())).toList());
    }
}
