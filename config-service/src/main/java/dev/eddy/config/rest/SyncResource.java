package dev.eddy.config.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.rest.Views.SyncRunView;
import dev.eddy.config.rest.Views.SyncView;
import dev.eddy.config.rest.Views.TriggerOutput;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.RunHistory;
import dev.eddy.config.service.SyncTriggers;
import dev.eddy.config.service.UnknownObjectException;
import dev.eddy.config.service.ValidationException;
import dev.eddy.config.service.QueryParams;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code /api/v1/syncs}: syncs, their triggers and their runs. */
@Path("/api/v1/syncs")
@Produces(MediaType.APPLICATION_JSON)
public class SyncResource {

    private final Catalog catalog;
    private final SyncTriggers triggers;
    private final RunHistory runs;

    public SyncResource(Catalog catalog, SyncTriggers triggers, RunHistory runs) {
        this.catalog = catalog;
        this.triggers = triggers;
        this.runs = runs;
    }

    @POST
    // 200 with the object, as Hightouch answers a create: its generated SDKs take any other status as unknown
    @ResponseStatus(200)
    public SyncView create(String body) {
        return Views.sync(catalog.createSync(RequestBodies.object(body, false)));
    }

    @GET
    public Page<SyncView> list(@QueryParam("slug") String slug, @QueryParam("modelId") String modelId,
                               @QueryParam("after") String after, @QueryParam("before") String before,
                               @QueryParam("limit") String limit, @QueryParam("offset") String offset,
                               @QueryParam("orderBy") String orderBy) {
        return new Page<>(catalog.syncs(QueryParams.list(slug, null, modelId, after, before, limit, offset, orderBy))
                .stream().map(Views::sync).toList());
    }

    @GET
    @Path("/{id}")
    public SyncView get(@PathParam("id") String id) {
        return Views.sync(catalog.sync(id));
    }

    @PATCH
    @Path("/{id}")
    public SyncView update(@PathParam("id") String id, String body) {
        return Views.sync(catalog.updateSync(id, RequestBodies.object(body, false)));
    }

    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("id") String id) {
        catalog.deleteSync(id);
    }

    /** Hightouch's TriggerRunInput {@code {fullResync}}, plus {@code resetCDC}; the body is optional. */
    @POST
    @Path("/{id}/trigger")
    public TriggerOutput trigger(@PathParam("id") String id, String body) {
        ObjectNode input = RequestBodies.object(body, true);
        Map<String, String> problems = new LinkedHashMap<>();
        boolean fullResync = flag(input, "fullResync", problems);
        boolean resetCDC = flag(input, "resetCDC", problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new TriggerOutput(triggers.trigger(id, fullResync, resetCDC));
    }

    /** Hightouch's TriggerRunCustomInput {@code {syncId | syncSlug, fullResync}}, as JSON or form-encoded. */
    @POST
    @Path("/trigger")
    public TriggerOutput triggerCustom(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        boolean form = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(MediaType.APPLICATION_FORM_URLENCODED);
        ObjectNode input = form ? RequestBodies.form(body) : RequestBodies.object(body, true);
        Map<String, String> problems = new LinkedHashMap<>();
        boolean fullResync = flag(input, "fullResync", problems);
        boolean resetCDC = flag(input, "resetCDC", problems);
        String syncId = text(input, "syncId", problems);
        String syncSlug = text(input, "syncSlug", problems);
        if (syncId == null && syncSlug == null && !problems.containsKey("syncId") && !problems.containsKey("syncSlug")) {
            problems.put("syncId", "syncId or syncSlug is required");
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        if (syncId != null) {
            try {
                return new TriggerOutput(triggers.trigger(syncId, fullResync, resetCDC));
            } catch (UnknownObjectException e) {
                throw ValidationException.of("syncId", "no sync with id " + syncId);
            }
        }
        return new TriggerOutput(triggers.triggerBySlug(syncSlug, fullResync, resetCDC));
    }

    @GET
    @Path("/{id}/runs")
    public Page<SyncRunView> runs(@PathParam("id") String id, @QueryParam("runId") String runId,
                                  @QueryParam("limit") String limit, @QueryParam("offset") String offset,
                                  @QueryParam("after") String after, @QueryParam("before") String before,
                                  @QueryParam("within") String within, @QueryParam("orderBy") String orderBy) {
        return new Page<>(runs.list(id, QueryParams.runs(runId, limit, offset, after, before, within, orderBy))
                .stream().map(Views::run).toList());
    }

    private static boolean flag(ObjectNode input, String field, Map<String, String> problems) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual() && (value.asText().equalsIgnoreCase("true") || value.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(value.asText().toLowerCase(Locale.ROOT));
        }
        problems.put(field, "must be true or false");
        return false;
    }

    private static String text(ObjectNode input, String field, Map<String, String> problems) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return null;
        }
        if (value.isTextual() || value.isIntegralNumber()) {
            return value.asText();
        }
        problems.put(field, "must be a string");
        return null;
    }
}
