package dev.eddy.delivery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.testrow.TestRowService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * delivery-service's internal test-a-row endpoint, called by config-service (never by users):
 * {@code POST /internal/test-row} with {@code {"syncId", "spec": "<SyncSpec JSON, as text>", "specSignature",
 * "op": "added"|"changed"|"removed", "row": {...}}} answers {@code {"op", "outcome": {"status", "reason"}, "requests": [...]}}.
 * The caller holds the internal credential ({@link InternalCredentialFilter}), and the spec is config-service's own
 * resolution of that sync: {@code specSignature} is the HMAC of the spec's exact bytes under the internal key, and the
 * spec names the sync asked for. Delivery has no sync catalog of its own to resolve a spec from, so it runs only a
 * spec config-service vouches for, never one a caller wrote.
 */
@Path("/internal/test-row")
public class TestRowResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestRowService service;
    private final InternalCredential credential;

    public TestRowResource(TestRowService service, InternalCredential credential) {
        this.service = service;
        this.credential = credential;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response test(JsonNode body) {
        if (body == null || !body.path("syncId").isTextual() || !body.path("spec").isTextual()) {
            return error("syncId and spec (the sync's resolved spec, signed by config-service) are required");
        }
        if (body.has("row") && !body.get("row").isObject()) {
            return error("row must be an object");
        }
        String specJson = body.get("spec").asText();
        if (!credential.verify(specJson.getBytes(StandardCharsets.UTF_8), body.path("specSignature").asText(null))) {
            return Response.status(Response.Status.FORBIDDEN).build();
        }
        SyncSpec spec;
        try {
            spec = SyncSpec.fromJson(specJson);
        } catch (IllegalArgumentException e) {
            return error("spec is not a sync spec: " + e.getMessage());
        }
        if (!body.get("syncId").asText().equals(spec.syncId())) {
            return Response.status(Response.Status.FORBIDDEN).build();
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
