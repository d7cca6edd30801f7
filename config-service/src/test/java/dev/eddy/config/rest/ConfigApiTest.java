package dev.eddy.config.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.SharedInfrastructure;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ConfigApiTest {

    private static final String KEY = "test-api-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaConsumer<String, Object> triggers;
    private static final List<TriggerEvent> seenTriggers = new CopyOnWriteArrayList<>();

    @Inject
    AgroalDataSource dataSource;

    @BeforeAll
    static void subscribeToTriggers() {
        triggers = new KafkaConsumer<>(KafkaSettings.consumer(SharedInfrastructure.broker().bootstrapServers(), Optional.empty(),
                "config-test-" + UUID.randomUUID()));
        triggers.subscribe(List.of(Topics.TRIGGERS));
    }

    @AfterAll
    static void closeConsumer() {
        triggers.close();
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String createSource(String slug) {
        return api().body(Map.of("name", "Warehouse", "slug", slug, "type", "postgres",
                        "configuration", Map.of("host", "127.0.0.1", "port", 5432, "database", "warehouse",
                                "user", "postgres", "password", "s3cret-pw")))
                .post("/api/v1/sources").then().statusCode(200).extract().path("id");
    }

    private String createModel(String slug, String sourceId) {
        return api().body(Map.of("name", "Customers", "slug", slug, "sourceId", sourceId, "queryType", "raw_sql",
                        "raw", Map.of("sql", "SELECT * FROM customers"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
    }

    private String createDestination(String slug) {
        return api().body(Map.of("name", "Hook", "slug", slug, "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook", "headers", Map.of("Authorization", "Bearer hook-token"))))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
    }

    private String createSync(String slug, String modelId, String destinationId, boolean disabled) {
        return api().body(Map.of("slug", slug, "modelId", modelId, "destinationId", destinationId, "disabled", disabled,
                        "schedule", Map.of("type", "manual"),
                        "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete",
                                "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))))
                .post("/api/v1/syncs").then().statusCode(200).extract().path("id");
    }

    /** A sync with its own source, model and destination; answers its id. */
    private String newSync(boolean disabled) {
        String source = createSource(unique("src"));
        String model = createModel(unique("mdl"), source);
        String destination = createDestination(unique("dst"));
        return createSync(unique("sync"), model, destination, disabled);
    }

    private String storedConfiguration(String table, String id) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT configuration::text FROM config." + table + " WHERE id = ?")) {
            ps.setLong(1, Long.parseLong(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private TriggerEvent awaitTrigger(String runId) {
        AtomicReference<TriggerEvent> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (ConsumerRecord<String, Object> r : triggers.poll(Duration.ofMillis(200))) {
                seenTriggers.add((TriggerEvent) r.value());
            }
            seenTriggers.stream().filter(t -> runId.equals(t.getRunId())).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    @Test
    void createdObjectsReadBackInHightouchShapesWithSecretsMaskedAndSealedAtRest() throws Exception {
        String sourceSlug = unique("src");
        String sourceId = createSource(sourceSlug);
        api().get("/api/v1/sources/" + sourceId).then().statusCode(200)
                .body("id", equalTo(sourceId))
                .body("slug", equalTo(sourceSlug))
                .body("type", equalTo("postgres"))
                .body("workspaceId", equalTo("1"))
                .body("createdAt", matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"))
                .body("updatedAt", notNullValue())
                .body("configuration.host", equalTo("127.0.0.1"))
                .body("configuration.password", equalTo(SecretBox.MASK));
        String stored = storedConfiguration("sources", sourceId);
        assertFalse(stored.contains("s3cret-pw"), stored);
        String sealed = JSON.readTree(stored).get("password").asText();
        assertTrue(SecretBox.isSealed(sealed));
        assertEquals("s3cret-pw", new SecretBox(EddyInfrastructureResource.SECRET_KEY).open(sealed));
        api().queryParam("slug", sourceSlug).get("/api/v1/sources").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].id", equalTo(sourceId));

        String modelSlug = unique("mdl");
        String modelId = createModel(modelSlug, sourceId);
        String tableModelId = api().body(Map.of("name", "Table", "slug", unique("tbl"), "sourceId", sourceId,
                        "queryType", "table", "table", Map.of("name", "customers"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).body("table.name", equalTo("customers")).extract().path("id");
        api().get("/api/v1/models/" + tableModelId).then().statusCode(200).body("queryType", equalTo("table"));

        String destinationSlug = unique("dst");
        String destinationId = createDestination(destinationSlug);
        api().get("/api/v1/destinations/" + destinationId).then().statusCode(200)
                .body("type", equalTo("webhook"))
                .body("configuration.url", equalTo("http://127.0.0.1:9/hook"))
                .body("configuration.headers.Authorization", equalTo(SecretBox.MASK));
        assertFalse(storedConfiguration("destinations", destinationId).contains("hook-token"));

        String syncSlug = unique("sync");
        String syncId = createSync(syncSlug, modelId, destinationId, false);
        api().get("/api/v1/syncs/" + syncId).then().statusCode(200)
                .body("id", equalTo(syncId))
                .body("slug", equalTo(syncSlug))
                .body("modelId", equalTo(modelId))
                .body("destinationId", equalTo(destinationId))
                .body("disabled", equalTo(false))
                .body("status", equalTo("pending"))
                .body("", hasKey("lastRunAt"))
                .body("lastRunAt", nullValue())
                .body("schedule.type", equalTo("manual"))
                .body("configuration.mode", equalTo("upsert"))
                .body("configuration.deleteBehavior", equalTo("delete"))
                .body("configuration.mappings[0].from", equalTo("email"))
                .body("referencedColumns", equalTo(List.of("email")))
                .body("primaryKey", equalTo("id"))
                .body("workspaceId", equalTo("1"));
        api().queryParam("slug", syncSlug).get("/api/v1/syncs").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].id", equalTo(syncId));

        api().get("/api/v1/models/" + modelId).then().statusCode(200)
                .body("slug", equalTo(modelSlug))
                .body("sourceId", equalTo(sourceId))
                .body("queryType", equalTo("raw_sql"))
                .body("raw.sql", equalTo("SELECT * FROM customers"))
                .body("primaryKey", equalTo("id"))
                .body("isSchema", equalTo(false))
                .body("tags", equalTo(Map.of()))
                .body("syncs", equalTo(List.of(syncId)));
        api().get("/api/v1/destinations/" + destinationId).then().body("syncs", equalTo(List.of(syncId)));
    }

    @Test
    void callsWithoutAValidKeyAreRejectedWith401() {
        given().get("/api/v1/sources").then().statusCode(401).body("message", notNullValue());
        given().header("Authorization", "Bearer wrong-key").get("/api/v1/syncs").then().statusCode(401).body("message", notNullValue());
        given().header("Authorization", "Basic " + KEY).get("/api/v1/syncs").then().statusCode(401);
        given().header("Authorization", "Bearer wrong-key").post("/api/v1/syncs/1/trigger").then().statusCode(401);
        api().get("/api/v1/sources").then().statusCode(200).body("data", notNullValue());
    }

    @Test
    void unknownIdsAnswer404() {
        api().get("/api/v1/sources/987654321").then().statusCode(404).body("message", notNullValue());
        api().get("/api/v1/models/987654321").then().statusCode(404).body("message", notNullValue());
        api().get("/api/v1/destinations/987654321").then().statusCode(404).body("message", notNullValue());
        api().get("/api/v1/syncs/987654321").then().statusCode(404).body("message", notNullValue());
        api().get("/api/v1/syncs/not-a-number").then().statusCode(404).body("message", notNullValue());
        api().get("/api/v1/syncs/987654321/runs").then().statusCode(404).body("message", notNullValue());
        api().post("/api/v1/syncs/987654321/trigger").then().statusCode(404).body("message", notNullValue());
    }

    @Test
    void invalidBodiesAnswer422WithEveryFieldProblem() {
        api().body(Map.of("slug", unique("src"), "type", "snowflake", "configuration", Map.of()))
                .post("/api/v1/sources").then().statusCode(422)
                .body("message", equalTo("Validation failed"))
                .body("details.name", notNullValue())
                .body("details.type", notNullValue());

        String sourceSlug = unique("src");
        String sourceId = createSource(sourceSlug);
        api().body(Map.of("name", "Dup", "slug", sourceSlug, "type", "postgres",
                        "configuration", Map.of("host", "h", "database", "d", "user", "u")))
                .post("/api/v1/sources").then().statusCode(422).body("details.slug", notNullValue());

        api().body(Map.of("name", "No key", "slug", unique("mdl"), "sourceId", sourceId, "queryType", "raw_sql", "raw", Map.of()))
                .post("/api/v1/models").then().statusCode(422)
                .body("details.primaryKey", notNullValue())
                .body("details.'raw.sql'", notNullValue());
        api().body(Map.of("name", "Orphan", "slug", unique("mdl"), "sourceId", "987654321", "queryType", "raw_sql",
                        "raw", Map.of("sql", "SELECT 1 AS id"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(422).body("details.sourceId", notNullValue());

        api().body(Map.of("name", "Bad hook", "slug", unique("dst"), "type", "carrier-pigeon", "configuration", Map.of()))
                .post("/api/v1/destinations").then().statusCode(422).body("details.type", notNullValue());

        String model = createModel(unique("mdl"), sourceId);
        String destination = createDestination(unique("dst"));
        api().body(Map.of("slug", unique("sync"), "modelId", "987654321", "destinationId", "987654322",
                        "configuration", Map.of("mode", "teleport", "deleteBehavior", "shred")))
                .post("/api/v1/syncs").then().statusCode(422)
                .body("details.modelId", notNullValue())
                .body("details.destinationId", notNullValue())
                .body("details.'configuration.mode'", notNullValue())
                .body("details.'configuration.deleteBehavior'", notNullValue());
        String syncSlug = unique("sync");
        createSync(syncSlug, model, destination, false);
        api().body(Map.of("slug", syncSlug, "modelId", model, "destinationId", destination,
                        "configuration", Map.of("mappings", List.of(Map.of("to", "email")))))
                .post("/api/v1/syncs").then().statusCode(422)
                .body("details.slug", notNullValue())
                .body("details.'configuration.mappings[0].from'", notNullValue());
    }

    @Test
    void malformedJsonAnswers400() {
        api().body("{\"name\": \"broken\",").post("/api/v1/sources").then().statusCode(400).body("message", notNullValue());
        api().body("[1, 2]").post("/api/v1/models").then().statusCode(400).body("message", notNullValue());
        api().body("{not json").post("/api/v1/syncs/1/trigger").then().statusCode(400).body("message", notNullValue());
    }

    @Test
    void triggerQueuesARunListedAtOncePublishesItsTriggerAndAnswersTheQueuedRunAgain() {
        String syncId = newSync(false);
        String runId = api().body(Map.of("fullResync", true)).post("/api/v1/syncs/" + syncId + "/trigger")
                .then().statusCode(200).body("id", matchesPattern("\\d+")).extract().path("id");

        api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].id", equalTo(runId))
                .body("data[0].status", equalTo("queued"))
                .body("data[0].createdAt", notNullValue())
                .body("data[0]", hasKey("startedAt"))
                .body("data[0]", hasKey("finishedAt"))
                .body("data[0]", org.hamcrest.Matchers.not(hasKey("error")))
                .body("data[0].querySize", equalTo(0))
                .body("data[0].plannedRows.addedCount", equalTo(0))
                .body("data[0].successfulRows.changedCount", equalTo(0))
                .body("data[0].failedRows.removedCount", equalTo(0))
                .body("data[0].completionRatio", equalTo(0.0f));
        api().get("/api/v1/syncs/" + syncId).then().body("status", equalTo("queued")).body("lastRunAt", notNullValue());

        // a trigger while the run is still queued answers that run; a form-encoded one too (Airflow's way)
        given().header("Authorization", "Bearer " + KEY).post("/api/v1/syncs/" + syncId + "/trigger")
                .then().statusCode(200).body("id", equalTo(runId));
        given().header("Authorization", "Bearer " + KEY).contentType(ContentType.URLENC).formParam("syncId", syncId)
                .post("/api/v1/syncs/trigger").then().statusCode(200).body("id", equalTo(runId));
        api().get("/api/v1/syncs/" + syncId + "/runs").then().body("data", hasSize(1));

        TriggerEvent event = awaitTrigger(runId);
        assertEquals("api", event.getSource());
        assertEquals(syncId, event.getSyncId());
        assertTrue(event.getFullResync());
        assertFalse(event.getResetCDC());
        // ids and flags only: the scheduler runs the sync-spec record of the config topic, never a trigger's spec
        assertNull(event.getSpecJson());
        assertEquals(1, seenTriggers.stream().filter(t -> runId.equals(t.getRunId())).count());
    }

    @Test
    void triggerBySlugAndDisabledSyncs() {
        String disabled = newSync(true);
        api().post("/api/v1/syncs/" + disabled + "/trigger").then().statusCode(422)
                .body("message", equalTo("Validation failed"))
                .body("details.disabled", equalTo("the sync is disabled; enable it to run it"));
        api().get("/api/v1/syncs/" + disabled).then().body("status", equalTo("disabled"));

        String syncId = newSync(false);
        String slug = api().get("/api/v1/syncs/" + syncId).then().extract().path("slug");
        String runId = given().header("Authorization", "Bearer " + KEY).contentType(ContentType.URLENC)
                .formParam("syncSlug", slug).formParam("fullResync", "false")
                .post("/api/v1/syncs/trigger").then().statusCode(200).extract().path("id");
        api().body(Map.of("syncSlug", slug)).post("/api/v1/syncs/trigger").then().statusCode(200).body("id", equalTo(runId));
        api().body(Map.of("syncSlug", "no-such-sync")).post("/api/v1/syncs/trigger").then().statusCode(422)
                .body("details.syncSlug", notNullValue());
        api().body(Map.of()).post("/api/v1/syncs/trigger").then().statusCode(422).body("details.syncId", notNullValue());
    }

    @Test
    void runEventsUpdateTheRunAndTheSyncStatusAndATerminalStatusSticks() {
        String syncId = newSync(false);
        String runId = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        Instant started = Instant.parse("2026-11-23T10:00:01Z");
        Instant finished = Instant.parse("2026-11-23T10:00:03Z");
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(
                SharedInfrastructure.broker().bootstrapServers(), Optional.empty(), "config-test"))) {
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.querying).setProducer("test").setAt(started).setStartedAt(started).build());
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.warning).setTerminal(true).setProducer("test").setAt(finished)
                    .setStartedAt(started).setFinishedAt(finished).setQuerySize(10L)
                    .setPlannedRows(new Counts(10L, 0L, 0L)).setSuccessfulRows(new Counts(9L, 0L, 0L))
                    .setFailedRows(new Counts(1L, 0L, 0L)).setCompletionRatio(1.0).setError("1 row rejected").build());
            // a late progress event must not move the run back from its terminal status
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.processing).setProducer("test").setAt(finished).setCompletionRatio(0.5).build());
            // a run config-service never saw (e.g. a scheduled one) is created from its events
            String scheduledRun = "99" + System.nanoTime() % 1_000_000;
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(scheduledRun).setSyncId(syncId)
                    .setStatus(RunStatus.querying).setProducer("test").setAt(Instant.parse("2020-01-01T00:00:00Z")).build());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    api().queryParam("runId", scheduledRun).get("/api/v1/syncs/" + syncId + "/runs").then()
                            .body("data", hasSize(1)).body("data[0].status", equalTo("querying")));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                        .body("data[0].status", equalTo("warning"))
                        .body("data[0].startedAt", equalTo("2026-11-23T10:00:01Z"))
                        .body("data[0].finishedAt", equalTo("2026-11-23T10:00:03Z"))
                        .body("data[0].querySize", equalTo(10))
                        .body("data[0].plannedRows.addedCount", equalTo(10))
                        .body("data[0].successfulRows.addedCount", equalTo(9))
                        .body("data[0].failedRows.addedCount", equalTo(1))
                        .body("data[0].completionRatio", equalTo(1.0f))
                        .body("data[0].error", equalTo("1 row rejected")));
        api().get("/api/v1/syncs/" + syncId).then()
                .body("status", equalTo("warning"))
                .body("lastRunAt", equalTo("2026-11-23T10:00:01Z"));
        api().queryParam("limit", "1").get("/api/v1/syncs/" + syncId + "/runs").then()
                .body("data", hasSize(1)).body("data[0].id", equalTo(runId));
        api().queryParam("limit", "many").get("/api/v1/syncs/" + syncId + "/runs").then()
                .statusCode(422).body("details.limit", notNullValue());

        // the run ended, so the next trigger queues a new run
        api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.not(equalTo(runId)));
    }

    @Test
    void aSyncLogFailureAfterTheRunTurnsItsSuccessIntoAWarningWithTheReason() {
        String syncId = newSync(false);
        String runId = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        Instant started = Instant.parse("2026-11-23T11:00:01Z");
        Instant finished = Instant.parse("2026-11-23T11:00:03Z");
        String reason = "sync logs could not be written to eddy_audit: CREATE command denied to user 'reader'@'%'";
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(
                SharedInfrastructure.broker().bootstrapServers(), Optional.empty(), "config-test"))) {
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.success).setTerminal(true).setProducer("test").setAt(finished)
                    .setStartedAt(started).setFinishedAt(finished).setQuerySize(10L)
                    .setPlannedRows(new Counts(2L, 0L, 0L)).setSuccessfulRows(new Counts(2L, 0L, 0L))
                    .setFailedRows(new Counts(0L, 0L, 0L)).setCompletionRatio(1.0).build());
            // what the extractor publishes once the run's logs could not be written
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.warning).setTerminal(false).setProducer("extractor-service/sync-logs")
                    .setAt(finished.plusSeconds(1)).setSyncLogsError(reason).build());
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                        .body("data[0].status", equalTo("warning"))
                        .body("data[0].error", equalTo(reason))
                        .body("data[0].finishedAt", equalTo("2026-11-23T11:00:03Z"))
                        .body("data[0].successfulRows.addedCount", equalTo(2)));
        api().get("/api/v1/syncs/" + syncId).then().body("status", equalTo("warning"));
    }

    @Test
    void readinessIsUpWhenTheDatabaseAndTheRunEventsConsumerAre() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
