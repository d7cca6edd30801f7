package dev.eddy.config.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.config.domain.Sequence;
import dev.eddy.config.domain.SequenceRun;
import dev.eddy.config.rest.Views.Page;
import dev.eddy.config.rest.Views.TriggerOutput;
import dev.eddy.config.service.SequenceRunner;
import dev.eddy.config.service.SyncSequences;
import dev.eddy.config.service.UnknownObjectException;
import dev.eddy.config.service.ValidationException;
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

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/sync-sequences}: ordered lists of syncs run one after another, their triggers and runs.
 * Hightouch's public API has no sequences; the shapes follow its syncs (string ids, ISO timestamps).
 */
@Path("/api/v1/sync-sequences")
@Produces(MediaType.APPLICATION_JSON)
public class SequenceResource {

    /** A sequence: {@code steps} are {@code {syncId, failurePolicy}}. */
    public record SequenceView(String id, String name, String slug, JsonNode schedule, boolean schedulePaused,
                               JsonNode steps, String createdAt, String updatedAt) {
    }

    /** One step of a sequence run: its sync, the sync run it started (null until then) and that run's status. */
    public record StepView(String syncId, String syncRunId, String status, String failurePolicy, String finishedAt,
                           String error) {
    }

    /** A sequence run: {@code status} is pending | running | done | failed | cancelled. */
    public record SequenceRunView(String id, String sequenceId, String status, String trigger, String createdAt,
                                  String startedAt, String finishedAt, String error, List<StepView> syncRuns) {
    }

    private final SyncSequences sequences;
    private final SequenceRunner runner;

    public SequenceResource(SyncSequences sequences, SequenceRunner runner) {
        this.sequences = sequences;
        this.runner = runner;
    }

    @POST
    @ResponseStatus(201)
    public SequenceView create(String body) {
        return view(sequences.create(RequestBodies.object(body, false)));
    }

    @GET
    public Page<SequenceView> list(@QueryParam("slug") String slug, @QueryParam("limit") String limit,
                                   @QueryParam("offset") String offset) {
        return new Page<>(sequences.list(slug, number("limit", limit, 100, 1, 1000), number("offset", offset, 0, 0, Integer.MAX_VALUE))
                .stream().map(SequenceResource::view).toList());
    }

    @GET
    @Path("/{id}")
    public SequenceView get(@PathParam("id") String id) {
        return view(sequences.get(id));
    }

    @PATCH
    @Path("/{id}")
    public SequenceView update(@PathParam("id") String id, String body) {
        return view(sequences.update(id, RequestBodies.object(body, false)));
    }

    /** Deletes the sequence; its pending and running runs end {@code cancelled}. */
    @DELETE
    @Path("/{id}")
    @ResponseStatus(204)
    public void delete(@PathParam("id") String id) {
        sequences.delete(id, runner);
    }

    /** Starts a run, or queues one behind the running run; a trigger while one is queued answers the queued one. */
    @POST
    @Path("/{id}/trigger")
    public TriggerOutput trigger(@PathParam("id") String id) {
        return new TriggerOutput(runner.trigger(id, "api", null));
    }

    /** The sequence's runs, newest first. */
    @GET
    @Path("/{id}/runs")
    public Page<SequenceRunView> runs(@PathParam("id") String id, @QueryParam("limit") String limit,
                                      @QueryParam("offset") String offset) {
        return new Page<>(runner.runsOf(id, number("limit", limit, 20, 1, 1000), number("offset", offset, 0, 0, Integer.MAX_VALUE))
                .stream().map(this::view).toList());
    }

    @GET
    @Path("/runs/{runId}")
    public SequenceRunView run(@PathParam("runId") String runId) {
        return view(runner.run(runId).orElseThrow(() -> new UnknownObjectException("sync sequence run", runId)));
    }

    private static SequenceView view(Sequence s) {
        return new SequenceView(Long.toString(s.id()), s.name(), s.slug(), s.schedule(), s.schedulePaused(), s.steps(),
                Views.iso(s.createdAt()), Views.iso(s.updatedAt()));
    }

    private SequenceRunView view(SequenceRun r) {
        List<StepView> steps = new ArrayList<>();
        for (JsonNode step : r.steps()) {
            steps.add(new StepView(step.path("syncId").asText(), step.path("syncRunId").asText(null), runner.liveStatus(step),
                    step.path("failurePolicy").asText(), step.path("finishedAt").asText(null), step.path("error").asText(null)));
        }
        return new SequenceRunView(Long.toString(r.id()), Long.toString(r.sequenceId()), r.status(), r.trigger(),
                Views.iso(r.createdAt()), Views.iso(r.startedAt()), Views.iso(r.finishedAt()), r.error(), steps);
    }

    private static int number(String field, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ValidationException.of(field, "must be a whole number from " + min + " to " + max);
    }
}
