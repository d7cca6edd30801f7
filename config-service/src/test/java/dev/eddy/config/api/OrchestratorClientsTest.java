package dev.eddy.config.api;

import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.eddy.config.api.Fixtures.KEY;
import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.finishRun;
import static dev.eddy.config.api.Fixtures.newSync;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replays the exact call sequences of the Airflow, Dagster, Prefect and Kestra Hightouch integrations. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class OrchestratorClientsTest {

    private static final Set<String> TERMINAL = Set.of("success", "warning", "failed", "cancelled", "interrupted");
    private static final List<String> SYNC_REQUIRED = List.of("id", "slug", "workspaceId", "createdAt", "updatedAt",
            "destinationId", "modelId", "configuration", "schedule", "status", "disabled", "lastRunAt", "referencedColumns", "primaryKey");

    /** apache-airflow-providers-hightouch: form-encoded trigger by slug, list by slug, poll runs?runId, read the sync. */
    @Test
    void airflow() {
        String syncId = newSync();
        String slug = api().get("/api/v1/syncs/" + syncId).then().statusCode(200).extract().path("slug");

        String runId = given().header("Authorization", "Bearer " + KEY).contentType(ContentType.URLENC)
                .formParam("syncSlug", slug).formParam("fullResync", "false")
                .post("/api/v1/syncs/trigger").then().statusCode(200).extract().path("id");
        String listedId = api().queryParam("slug", slug).get("/api/v1/syncs").then().statusCode(200).extract().path("data[0].id");
        assertEquals(syncId, listedId);
        // the run is listed from the instant the trigger answered
        JsonPath first = api().queryParam("runId", runId).get("/api/v1/syncs/" + listedId + "/runs").then().statusCode(200).extract().jsonPath();
        assertEquals(runId, first.getString("data[0].id"));
        assertEquals("queued", first.getString("data[0].status"));

        finishRun(syncId, runId, RunStatus.success);
        await().atMost(Duration.ofSeconds(60)).until(() -> TERMINAL.contains(
                api().queryParam("runId", runId).get("/api/v1/syncs/" + listedId + "/runs").then().extract().<String>path("data[0].status")));
        JsonPath run = api().queryParam("runId", runId).get("/api/v1/syncs/" + listedId + "/runs").then().extract().jsonPath();
        assertEquals("success", run.getString("data[0].status"));
        assertEquals(10, run.getInt("data[0].plannedRows.addedCount"));
        api().get("/api/v1/syncs/" + listedId).then().statusCode(200);

        // and by id, form-encoded, the provider's other mode
        String second = given().header("Authorization", "Bearer " + KEY).contentType(ContentType.URLENC).formParam("syncId", syncId)
                .post("/api/v1/syncs/trigger").then().statusCode(200).extract().path("id");
        assertFalse(second.equals(runId));
    }

    /** dagster-hightouch: trigger with no body, poll runs?runId, then read the sync's destination. */
    @Test
    void dagster() {
        String syncId = newSync();
        String runId = given().header("Authorization", "Bearer " + KEY).post("/api/v1/syncs/" + syncId + "/trigger")
                .then().statusCode(200).extract().path("id");
        assertEquals(runId, api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .extract().path("data[0].id"));
        finishRun(syncId, runId, RunStatus.warning);
        await().atMost(Duration.ofSeconds(60)).until(() -> "warning".equals(
                api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().extract().path("data[0].status")));
        JsonPath sync = api().get("/api/v1/syncs/" + syncId).then().statusCode(200).extract().jsonPath();
        assertEquals("contacts", sync.getString("configuration.object"));
        String destinationId = sync.getString("destinationId");
        JsonPath destination = api().get("/api/v1/destinations/" + destinationId).then().statusCode(200).extract().jsonPath();
        assertEquals("webhook", destination.getString("type"));
        assertNotNull(destination.getString("slug"));
    }

    /** prefect-hightouch: trigger {fullResync}, poll the sync's status; its parser needs every required field and lastRunAt. */
    @Test
    void prefect() {
        String syncId = newSync();
        JsonPath before = api().get("/api/v1/syncs/" + syncId).then().statusCode(200).extract().jsonPath();
        for (String field : SYNC_REQUIRED) {
            assertTrue(before.getMap("").containsKey(field), field);
        }
        assertEquals("pending", before.getString("status"));
        assertPrefectParsesTheSchedule(before);

        String runId = api().body(Map.of("fullResync", true)).post("/api/v1/syncs/" + syncId + "/trigger")
                .then().statusCode(200).extract().path("id");
        JsonPath queued = api().get("/api/v1/syncs/" + syncId).then().extract().jsonPath();
        assertEquals("queued", queued.getString("status"));
        assertNotNull(queued.getString("lastRunAt"), "lastRunAt is set as soon as a run exists");
        Instant.parse(queued.getString("lastRunAt"));

        finishRun(syncId, runId, RunStatus.success);
        await().atMost(Duration.ofSeconds(60)).until(() -> TERMINAL.contains(
                api().get("/api/v1/syncs/" + syncId).then().extract().<String>path("status")));
        JsonPath after = api().get("/api/v1/syncs/" + syncId).then().extract().jsonPath();
        assertEquals("success", after.getString("status"));
        for (String field : SYNC_REQUIRED) {
            assertNotNull(after.get(field), field);
        }
        assertPrefectParsesTheSchedule(after);
    }

    /**
     * prefect-hightouch's generated {@code SyncSchedule.from_dict}: {@code _parse_schedule} needs a dict under
     * {@code schedule.schedule} and tries IntervalSchedule ({@code interval}), CronSchedule ({@code expression}),
     * VisualCronSchedule ({@code expressions}, a list) in try/except, then DBTSchedule ({@code account},
     * {@code dbtCredentialId}, {@code job}) without one: a null raises TypeError and {@code {}} raises KeyError.
     */
    private static void assertPrefectParsesTheSchedule(JsonPath sync) {
        Object type = sync.get("schedule.type");
        assertNotNull(type, "schedule.type");
        Object inner = sync.get("schedule.schedule");
        assertTrue(inner instanceof Map<?, ?>, "schedule.schedule must be a dict for Prefect's parser: " + inner);
        Map<?, ?> schedule = (Map<?, ?>) inner;
        boolean parses = schedule.containsKey("interval") || schedule.containsKey("expression")
                || schedule.get("expressions") instanceof List<?>
                || (schedule.containsKey("account") && schedule.containsKey("dbtCredentialId") && schedule.containsKey("job"));
        assertTrue(parses, "no schedule shape of Prefect's parser reads " + schedule);
        if ("manual".equals(type)) {
            assertEquals(Map.of("expressions", List.of()), schedule, "a manual sync: an empty recurrence, which never fires");
        }
    }

    /** Kestra's Hightouch task: read the sync, trigger, poll runs every second tolerating a run not yet listed. */
    @Test
    void kestra() {
        String syncId = newSync();
        // Kestra's HTTP client sends its JSON body ("{}") on GETs too
        api().body("{}").get("/api/v1/syncs/" + syncId).then().statusCode(200);
        String runId = api().body(Map.of("fullResync", false)).post("/api/v1/syncs/" + syncId + "/trigger")
                .then().statusCode(200).extract().path("id");
        finishRun(syncId, runId, RunStatus.failed);
        await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60)).until(() -> {
            List<Map<String, Object>> data = api().body("{}").queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs")
                    .then().statusCode(200).extract().jsonPath().getList("data");
            return !data.isEmpty() && "failed".equals(data.get(0).get("status"));
        });
    }

    @Test
    void aTriggerWhileARunIsInProgressQueuesExactlyOneFollowUpRun() {
        String syncId = newSync();
        String first = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        // the first run starts: it is no longer queued
        try (var publisher = new dev.eddy.contracts.kafka.EventPublisher(dev.eddy.contracts.kafka.KafkaSettings.producer(
                dev.eddy.testsupport.SharedInfrastructure.broker().bootstrapServers(), java.util.Optional.empty(), "api-test"))) {
            publisher.sendAndWait(dev.eddy.contracts.Topics.RUN_EVENTS, syncId, dev.eddy.contracts.avro.RunEvent.newBuilder()
                    .setRunId(first).setSyncId(syncId).setStatus(RunStatus.querying).setProducer("test")
                    .setAt(Instant.now()).setStartedAt(Instant.now()).build());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "querying".equals(
                api().queryParam("runId", first).get("/api/v1/syncs/" + syncId + "/runs").then().extract().path("data[0].status")));
        String followUp = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        String again = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        assertFalse(followUp.equals(first));
        assertEquals(followUp, again, "a second trigger during the run answers the one queued follow-up");
        assertEquals(2, api().queryParam("limit", 100).get("/api/v1/syncs/" + syncId + "/runs").then().extract().jsonPath().getList("data").size());
    }

    /**
     * The scheduler releases the queued follow-up when the run in flight ends and announces it started (a
     * {@code querying} event of its own) before the extractor reports: a trigger in between must queue a new
     * follow-up, not answer the released run's id.
     */
    @Test
    void aTriggerAfterTheSchedulerReleasedTheFollowUpQueuesANewOne() {
        String syncId = newSync();
        String first = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        schedulerReleased(syncId, first);
        String followUp = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        assertFalse(followUp.equals(first));

        // the first run ends; the scheduler releases the follow-up; the extractor has not picked it up yet
        finishRun(syncId, first, RunStatus.success);
        schedulerReleased(syncId, followUp);
        String next = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        String again = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        assertFalse(next.equals(followUp), "the released run is not the queued one any more");
        assertEquals(next, again, "more triggers answer the one queued run");
        assertEquals("queued", api().queryParam("runId", next).get("/api/v1/syncs/" + syncId + "/runs").then()
                .extract().path("data[0].status"));
    }

    /** Replays what scheduler-service publishes when it releases a run: {@code querying}, started, by itself. */
    private static void schedulerReleased(String syncId, String runId) {
        Instant now = Instant.now();
        try (var publisher = new dev.eddy.contracts.kafka.EventPublisher(dev.eddy.contracts.kafka.KafkaSettings.producer(
                dev.eddy.testsupport.SharedInfrastructure.broker().bootstrapServers(), java.util.Optional.empty(), "api-test"))) {
            publisher.sendAndWait(dev.eddy.contracts.Topics.RUN_EVENTS, syncId, dev.eddy.contracts.avro.RunEvent.newBuilder()
                    .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.querying).setProducer("scheduler-service")
                    .setAt(now).setStartedAt(now).setTrigger("api").build());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "querying".equals(
                api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().extract().path("data[0].status")));
    }
}
