package dev.eddy.config.testrow;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** {@code POST /api/v1/syncs/{id}/test-row}: sends one row through the sync's real connector and shows the exchange. */
@Path("/api/v1/syncs/{id}/test-row")
public class TestRowResource {

    private final TestRowProxy proxy;

    public TestRowResource(TestRowProxy proxy) {
        this.proxy = proxy;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonNode test(@PathParam("id") String id, JsonNode body) {
        return proxy.test(id, body);
    }

    @ServerExceptionMapper
    public Response unavailable(TestRowProxy.DeliveryUnavailableException e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON).entity(Map.of("message", e.getMessage())).build();
    }
}
