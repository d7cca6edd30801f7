package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler against a real broker and PostgreSQL: release, queue, supersede, replay. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SchedulerFlowTest {

    private static EventPublisher publisher;
    private static TopicRecorder<RunRequest> runRequests;
    private static TopicRecorder<RunEvent> runEvents;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void connect() {
        if (publisher == null) {
            publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), "scheduler-test"));
            runRequests = new TopicRecorder<>(bootstrapServers, Topics.RUN_REQUESTS);
            runEvents = new TopicRecorder<>(bootstrapServers, Topics.RUN_EVENTS);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }

    @AfterAll
    static void close() {
        if (publisher != null) {
            runRequests.close();
            runEvents.close();
            publisher.close();
            publisher = null;
        }
    }

    @Test
    void freeSyncGetsARunRequestCarryingTheSpec() {
        String sync = newSyncId();
        TriggerEvent trigger = trigger(sync, "101");
        trigger.setFullResync(true);
        publish(trigger);

        RunRequest request = awaitOneRunRequest(sync, "101");
        assertEquals(7L, request.getConfigVersion());
        assertEquals("api", request.getTrigger());
        assertTrue(request.getFullResync());
        assertFalse(request.getResetCDC());
        assertEquals(spec(sync), request.getSpecJson());
        assertNotNull(request.getRequestedAt());
        awaitState(sync, "101", null);
    }

    @Test
    void secondTriggerDuringARunIsQueuedAndReleasedOnlyAfterTheTerminalEvent() {
        String sync = newSyncId();
        publish(trigger(sync, "201"));
        awaitOneRunRequest(sync, "201");
        publish(trigger(sync, "202"));
        awaitState(sync, "201", "202");
        assertEquals(0, requestsFor(sync, "202").size());

        publishRunEvent(sync, "201", RunStatus.processing, false);
        publishRunEvent(sync, "201", RunStatus.success, true);

        awaitOneRunRequest(sync, "202");
        awaitState(sync, "202", null);
    }

    @Test
    void thirdTriggerWhileOneIsQueuedIsCancelledNamingTheQueuedRun() {
        String sync = newSyncId();
        publish(trigger(sync, "301"));
        awaitOneRunRequest(sync, "301");
        publish(trigger(sync, "302"));
        publish(trigger(sync, "303"));

        RunEvent cancelled = await().atMost(Duration.ofSeconds(15)).until(
                () -> runEvents.matching(e -> e.getSyncId().equals(sync) && e.getRunId().equals("303")),
                l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.cancelled, cancelled.getStatus());
        assertTrue(cancelled.getTerminal());
        assertEquals("scheduler-service", cancelled.getProducer());
        assertEquals("superseded: run 302 is already queued for this sync", cancelled.getError());
        assertNotNull(cancelled.getFinishedAt());
        awaitState(sync, "301", "302");

        publishRunEvent(sync, "301", RunStatus.failed, true);
        awaitOneRunRequest(sync, "302");
        awaitState(sync, "302", null);
        assertEquals(0, requestsFor(sync, "303").size());
    }

    @Test
    void replayedTriggersAndTerminalEventsReleaseNothingTwice() {
        String sync = newSyncId();
        publish(trigger(sync, "401"));
        publish(trigger(sync, "401"));
        publish(trigger(sync, "402"));
        awaitState(sync, "401", "402");
        publishRunEvent(sync, "401", RunStatus.success, true);
        awaitState(sync, "402", null);

        // replays of everything so far, then a marker trigger: same key, so handled after the replays
        publish(trigger(sync, "401"));
        publish(trigger(sync, "402"));
        publishRunEvent(sync, "401", RunStatus.success, true);
        publish(trigger(sync, "403"));
        awaitState(sync, "402", "403");

        assertEquals(1, requestsFor(sync, "401").size());
        assertEquals(1, requestsFor(sync, "402").size());
        assertEquals(0, requestsFor(sync, "403").size());
    }

    @Test
    void triggerWithoutRunIdGetsOneRunEvenWhenReplayed() {
        String sync = newSyncId();
        TriggerEvent trigger = trigger(sync, null);
        trigger.setSource("schedule");
        publish(trigger);
        publish(trigger);
        publish(trigger(sync, "502"));
        awaitQueued(sync, "502");

        List<RunRequest> requests = runRequests.matching(r -> r.getSyncId().equals(sync));
        assertEquals(1, requests.size());
        assertEquals("schedule", requests.get(0).getTrigger());
        assertFalse(requests.get(0).getRunId().isBlank());
    }

    @Test
    void triggerWithoutSyncOrOfAnUnknownSyncIsSkippedAndTheConsumerGoesOn() {
        String sync = newSyncId();
        TriggerEvent dbt = TriggerEvent.newBuilder()
                .setTriggerId(UUID.randomUUID().toString()).setSource("dbt_cloud")
                .setDbtAccountId("1").setDbtJobId("2").setDbtRunStatus("Success")
                .setRequestedAt(Instant.now()).build();
        publisher.sendAndWait(Topics.TRIGGERS, sync, dbt); // same partition as the next triggers
        String unknown = "sync-" + UUID.randomUUID(); // no config record: its spec, forged or not, is never run
        publisher.sendAndWait(Topics.TRIGGERS, sync, trigger(unknown, "601"));
        publish(trigger(sync, "602"));

        awaitOneRunRequest(sync, "602");
        assertEquals(0, requestsFor(unknown, "601").size());
        RunEvent cancelled = await().atMost(Duration.ofSeconds(15)).until(
                () -> runEvents.matching(e -> e.getRunId().equals("601") && e.getSyncId().equals(unknown)),
                l -> !l.isEmpty()).get(0);
        assertEquals("SYNC_UNKNOWN", cancelled.getErrorCode());
    }

    @Test
    void unreadableSpecEndsTheRunFailed() {
        String sync = newSyncId();
        publisher.sendAndWait(Topics.CONFIG, "sync-spec:" + sync, change("sync-spec", sync, "{not json"));
        TriggerEvent trigger = trigger(sync, "701");
        publish(trigger);

        RunEvent failed = await().atMost(Duration.ofSeconds(15)).until(
                () -> runEvents.matching(e -> e.getRunId().equals("701") && e.getSyncId().equals(sync)),
                l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.failed, failed.getStatus());
        assertTrue(failed.getTerminal());
        assertEquals("INVALID_SYNC_SPEC", failed.getErrorCode());
        assertEquals(0, requestsFor(sync, "701").size());
        awaitState(sync, null, null);
    }

    @Test
    void aForgedSpecOnTheTriggerIsIgnoredAndTheRunGetsTheSpecOfTheConfigTopic() {
        String sync = newSyncId();
        TriggerEvent forged = trigger(sync, "801");
        forged.setSpecJson(spec(sync).replace("select 1 as id", "select secret as id from credentials")
                .replace("\"configVersion\":7", "\"configVersion\":99"));
        publish(forged);

        RunRequest request = awaitOneRunRequest(sync, "801");
        assertEquals(spec(sync), request.getSpecJson());
        assertEquals(7L, request.getConfigVersion());
    }

    @Test
    void aForgedRunIdOfAnotherSyncsRunIsRefusedAndLeavesThatRunAlone() {
        String victim = newSyncId();
        publish(trigger(victim, "901"));
        awaitOneRunRequest(victim, "901");
        String attacker = newSyncId();
        publish(trigger(attacker, "901")); // the victim's run id, from a trigger of another sync
        publish(trigger(attacker, "902")); // same partition: handled after the forged one

        awaitOneRunRequest(attacker, "902");
        assertEquals(0, requestsFor(attacker, "901").size());
        assertTrue(runEvents.matching(e -> e.getRunId().equals("901") && e.getSyncId().equals(attacker)).isEmpty());
        assertTrue(runEvents.matching(e -> e.getRunId().equals("901") && e.getTerminal()).isEmpty(),
                "the victim's run is not ended by the forged trigger");
        awaitState(victim, "901", null);
    }

    @Test
    void aTriggerFromOutsideConfigServiceCannotChooseItsRunId() {
        String sync = newSyncId();
        TriggerEvent external = trigger(sync, "1001");
        external.setSource("external");
        publish(external);

        RunRequest request = await().atMost(Duration.ofSeconds(15)).until(
                () -> runRequests.matching(r -> r.getSyncId().equals(sync)), l -> l.size() == 1).get(0);
        assertTrue(!request.getRunId().equals("1001"), "the scheduler allocated the run id: " + request.getRunId());
        assertEquals("external", request.getTrigger());
    }

    /** A new sync as config-service publishes it to the config topic: enabled, manual, with its spec. */
    private static String newSyncId() {
        String id = "sync-" + UUID.randomUUID();
        publisher.sendAndWait(Topics.CONFIG, "sync-spec:" + id, change("sync-spec", id, spec(id)));
        publisher.sendAndWait(Topics.CONFIG, "sync:" + id, change("sync", id, "{\"id\":\"" + id
                + "\",\"schedule\":null,\"schedulePaused\":false,\"disabled\":false}"));
        return id;
    }

    private static ConfigChange change(String kind, String id, String json) {
        return ConfigChange.newBuilder().setKind(kind).setId(id).setVersion(1).setJson(json).setAt(Instant.now()).build();
    }

    private static String spec(String syncId) {
        return "{\"syncId\":\"" + syncId + "\",\"syncSlug\":\"s\",\"configVersion\":7,"
                + "\"model\":{\"id\":\"m\",\"primaryKey\":\"id\",\"sql\":\"select 1 as id\"},"
                + "\"destination\":{\"id\":\"d\",\"type\":\"webhook\",\"configuration\":{}},\"configuration\":{}}";
    }

    private static TriggerEvent trigger(String syncId, String runId) {
        return TriggerEvent.newBuilder()
                .setTriggerId("trigger-" + syncId + "-" + runId)
                .setSource("api")
                .setSyncId(syncId)
                .setRunId(runId)
                .setSpecJson(spec(syncId))
                .setRequestedAt(Instant.now())
                .build();
    }

    private static void publish(TriggerEvent trigger) {
        publisher.sendAndWait(Topics.TRIGGERS, trigger.getSyncId(), trigger);
    }

    private static void publishRunEvent(String syncId, String runId, RunStatus status, boolean terminal) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(status).setTerminal(terminal)
                .setProducer("test").setAt(Instant.now()).build());
    }

    private static List<RunRequest> requestsFor(String syncId, String runId) {
        return runRequests.matching(r -> r.getSyncId().equals(syncId) && r.getRunId().equals(runId));
    }

    private static RunRequest awaitOneRunRequest(String syncId, String runId) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(syncId, runId), l -> l.size() == 1).get(0);
    }

    private void awaitState(String syncId, String inFlight, String queued) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<String> state = state(syncId);
            assertEquals(inFlight, state.get(0), "in-flight run");
            assertEquals(queued, state.get(1), "queued run");
        });
    }

    private void awaitQueued(String syncId, String queued) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(queued, state(syncId).get(1)));
    }

    private List<String> state(String syncId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT in_flight_run_id, queued_run_id FROM scheduler.sync_state WHERE sync_id = ?")) {
            ps.setString(1, syncId);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> state = new ArrayList<>();
                if (rs.next()) {
                    state.add(rs.getString(1));
                    state.add(rs.getString(2));
                } else {
                    state.add(null);
                    state.add(null);
                }
                return state;
            }
        }
    }
}
