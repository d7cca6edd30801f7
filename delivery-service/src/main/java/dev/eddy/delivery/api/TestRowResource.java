package dev.eddy.delivery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.testrow.TestRowService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * delivery-service's internal test-a-row endpoint, called by config-service (never by users):
 * {@code POST /internal/test-row} with {@code {"spec": <SyncSpec>, "op": "added"|"changed"|"removed", "row": {...}}}
 * answers {@code {"op", "outcome": {"status", "reason"}, "requests": [...]}}.
 */
@Path("/internal/test-row")
public class TestRowResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestRowService service;

    public TestRowResource(TestRowService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response test(JsonNode body) {
        if (body == null || !body.path("spec").isObject()) {
            return error("spec (the sync's resolved spec) is required");
        }
        if (body.has("row") && !body.get("row").isObject()) {
            return error("row must be an object");
        }
        SyncSpec spec;
        try {
            spec = JSON.treeToValue(body.get("spec"), SyncSpec.class);
        } catch (Exception e) {
            return error("spec is not a sync spec: " + e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> row = body.has("row") ? JSON.convertValue(body.get("row"), Map.class) : Map.of();
        try {
            return Response.ok(service.test(spec, body.path("op").asText("added"), row)).build();
        } catch (TestRowService.BadRequest e) {
            return error(e.getMessage());
        }
    }

    private static Response error(String message) {
        return Response.status(400).entity(Map.of("message", message)).type(MediaType.APPLICATION_JSON).build();
    }
}
