package dev.eddy.config.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The dbt Cloud and Fivetran webhook bridges: verify the signature over the raw body, then publish a
 * {@link TriggerEvent} naming the job or connector to {@code eddy.triggers.v1}; the scheduler runs the syncs
 * scheduled after it. A bad or missing signature (or no configured secret) is a 401 and publishes nothing.
 * Events that cannot trigger anything (a job start, Fivetran's test event) are accepted and ignored, so the
 * senders do not retry them.
 */
@Path("/webhooks")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookSettings settings;
    private final EventPublisher publisher;
    private final WebhookReplayGuard replays;

    public WebhookResource(WebhookSettings settings, EventPublisher publisher, WebhookReplayGuard replays) {
        this.settings = settings;
        this.publisher = publisher;
        this.replays = replays;
    }

    @POST
    @Path("/dbt-cloud")
    public Response dbtCloud(@HeaderParam("Authorization") String signature, byte[] body) {
        Optional<Response> refused = verify(settings.dbtCloudSecret(), body, signature, "dbt Cloud");
        if (refused.isPresent()) {
            return refused.get();
        }
        JsonNode event = parse(body);
        if (event == null) {
            return badRequest("the body is not JSON");
        }
        Optional<Response> replayed = replayed(event, "timestamp", signature, "dbt Cloud");
        if (replayed.isPresent()) {
            return replayed.get();
        }
        String type = event.path("eventType").asText("");
        if (!type.equals("job.run.completed") && !type.equals("job.run.errored")) {
            return ignored("event " + type + " does not trigger syncs");
        }
        JsonNode data = event.path("data");
        String account = event.path("accountId").asText("");
        String job = data.path("jobId").asText("");
        if (account.isEmpty() || job.isEmpty()) {
            return badRequest("accountId and data.jobId are required");
        }
        String status = type.equals("job.run.errored") ? "Errored" : data.path("runStatus").asText("");
        String eventId = event.path("eventId").asText(data.path("runId").asText(""));
        publish("dbt:" + account + ":" + job, TriggerEvent.newBuilder()
                .setTriggerId("dbt_cloud:" + eventId)
                .setSource("dbt_cloud")
                .setDbtAccountId(account)
                .setDbtJobId(job)
                .setDbtRunStatus(status)
                .setRequestedAt(Instant.now())
                .build());
        replays.handled(signature);
        LOG.infof("dbt Cloud job %s (account %s) run %s: %s, trigger published", job, account,
                data.path("runId").asText(""), status);
        return Response.ok(Map.of("published", true)).build();
    }

    @POST
    @Path("/fivetran")
    public Response fivetran(@HeaderParam("X-Fivetran-Signature-256") String signature, byte[] body) {
        Optional<Response> refused = verify(settings.fivetranSecret(), body, signature, "Fivetran");
        if (refused.isPresent()) {
            return refused.get();
        }
        JsonNode event = parse(body);
        if (event == null) {
            return badRequest("the body is not JSON");
        }
        Optional<Response> replayed = replayed(event, "created", signature, "Fivetran");
        if (replayed.isPresent()) {
            return replayed.get();
        }
        String type = event.path("event").asText("");
        String syncId = event.path("sync_id").asText("");
        if (!type.equals("sync_end") || syncId.isEmpty()) {
            // includes the test_event Fivetran sends when the webhook is created (it has no sync_id)
            return ignored("event " + type + " does not trigger syncs");
        }
        String connector = event.path("connector_id").asText("");
        if (connector.isEmpty()) {
            return badRequest("connector_id is required");
        }
        String status = event.path("data").path("status").asText("");
        publish("fivetran:" + connector, TriggerEvent.newBuilder()
                .setTriggerId("fivetran:" + syncId)
                .setSource("fivetran")
                .setFivetranConnectorId(connector)
                .setFivetranStatus(status)
                .setRequestedAt(Instant.now())
                .build());
        replays.handled(signature);
        LOG.infof("Fivetran connector %s sync %s ended %s, trigger published", connector, syncId, status);
        return Response.ok(Map.of("published", true)).build();
    }

    private void publish(String key, TriggerEvent trigger) {
        publisher.sendAndWait(Topics.TRIGGERS, key, trigger);
    }

    private static Optional<Response> verify(Optional<String> secret, byte[] body, String signature, String sender) {
        if (secret.isEmpty() || secret.get().isBlank()) {
            LOG.warnf("%s webhook refused: no secret is configured for it", sender);
            return Optional.of(unauthorized("this webhook has no secret configured"));
        }
        if (!WebhookSignature.matches(secret.get(), body, signature)) {
            LOG.warnf("%s webhook refused: bad or missing signature", sender);
            return Optional.of(unauthorized("the signature is missing or does not match the body"));
        }
        return Optional.empty();
    }

    /** A signed delivery already received, or whose signed event time is out of the window: a 401 naming why. */
    private Optional<Response> replayed(JsonNode event, String timeField, String signature, String sender) {
        Optional<String> refusal = replays.refusal(event, timeField, signature);
        refusal.ifPresent(reason -> LOG.warnf("%s webhook refused: %s", sender, reason));
        return refusal.map(WebhookResource::unauthorized);
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Response unauthorized(String message) {
        return Response.status(Response.Status.UNAUTHORIZED).entity(Map.of("message", message)).build();
    }

    private static Response badRequest(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("message", message)).build();
    }

    private static Response ignored(String reason) {
        return Response.ok(Map.of("published", false, "reason", reason)).build();
    }
}
