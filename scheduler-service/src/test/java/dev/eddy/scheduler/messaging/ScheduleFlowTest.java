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
import java.time.Duration;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schedules fired by the running scheduler, with its clock moved forward by the test (no waiting for real
 * minutes): interval slots, paused and invalid schedules, dbt Cloud and Fivetran triggers, stalled runs.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ScheduleFlowTest {

    private static final String EVERY_MINUTE = "{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":1,\"unit\":\"minute\"}}}";

    private static EventPublisher publisher;
    private static TopicRecorder<RunRequest> runRequests;
    private static TopicRecorder<RunEvent> runEvents;
    private static TopicRecorder<TriggerEvent> triggers;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void connect() {
        if (publisher == null) {
            publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), "schedule-test"));
            runRequests = new TopicRecorder<>(bootstrapServers, Topics.RUN_REQUESTS);
            runEvents = new TopicRecorder<>(bootstrapServers, Topics.RUN_EVENTS);
            triggers = new TopicRecorder<>(bootstrapServers, Topics.TRIGGERS);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }

    @AfterAll
    static void close() {
        if (publisher != null) {
            runRequests.close();
            runEvents.close();
            triggers.close();
            publisher.close();
            publisher = null;
        }
    }

    @Test
    void intervalSyncFiresOncePerSlotThroughTheRunGate() {
        String sync = newSync(EVERY_MINUTE, false, false);
        awaitScheduleStarted(sync);

        TestClock.advance(Duration.ofSeconds(60));
        RunRequest first = await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1).get(0);
        assertEquals("schedule", first.getTrigger());
        RunEvent queued = await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getRunId().equals(first.getRunId()) && e.getStatus() == RunStatus.queued), l -> !l.isEmpty()).get(0);
        assertEquals("scheduler-service", queued.getProducer());

        publishRunEvent(sync, first.getRunId(), RunStatus.success);
        TestClock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 2);
        // a slot fires once: the count stays at two while the ticker keeps looking
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> requestsFor(sync).size() == 2);
    }

    @Test
    void cronScheduleFiresAtItsSlotInUtcAndNotBefore() {
        String sync = newSync("{\"type\":\"cron\",\"schedule\":{\"expression\":\"30 14 * * *\"}}", false, false);
        awaitScheduleStarted(sync);
        Instant now = Instant.now(new TestClock());
        Instant slot = now.atZone(ZoneOffset.UTC).withHour(14).withMinute(30).withSecond(0).withNano(0).toInstant();
        if (!slot.isAfter(now)) {
            slot = slot.plus(Duration.ofDays(1));
        }

        TestClock.advance(Duration.between(now, slot).minusSeconds(5)); // five seconds before 14:30 UTC
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> scheduleTriggers(sync).isEmpty());
        TestClock.advance(Duration.ofSeconds(10));
        TriggerEvent fired = await().atMost(Duration.ofSeconds(15)).until(() -> scheduleTriggers(sync), l -> l.size() == 1).get(0);
        assertEquals("schedule:" + sync + ":" + slot.toEpochMilli(), fired.getTriggerId());
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1);
    }

    @Test
    void visualScheduleFiresAtItsLocalTimeOnItsDaysInItsZone() {
        ZoneId newYork = ZoneId.of("America/New_York");
        String sync = newSync("{\"type\":\"visual\",\"schedule\":{\"timezone\":\"America/New_York\",\"expressions\":"
                + "[{\"days\":{\"monday\":true,\"thursday\":true},\"time\":\"09:15\"}]}}", false, false);
        awaitScheduleStarted(sync);
        Instant now = Instant.now(new TestClock());
        ZonedDateTime local = now.atZone(newYork).withHour(9).withMinute(15).withSecond(0).withNano(0);
        while (!local.toInstant().isAfter(now)
                || !(local.getDayOfWeek() == DayOfWeek.MONDAY || local.getDayOfWeek() == DayOfWeek.THURSDAY)) {
            local = local.plusDays(1).withHour(9).withMinute(15);
        }
        Instant slot = local.toInstant();

        TestClock.advance(Duration.between(now, slot).plusSeconds(1));
        TriggerEvent fired = await().atMost(Duration.ofSeconds(15)).until(() -> scheduleTriggers(sync), l -> l.size() == 1).get(0);
        assertEquals("schedule:" + sync + ":" + slot.toEpochMilli(), fired.getTriggerId(),
                "fired at 09:15 New York time on a Monday or Thursday (" + local + ")");
    }

    @Test
    void pausedDisabledAndInvalidSchedulesNeverFireAndNeverStopTheOthers() {
        String paused = newSync(EVERY_MINUTE, true, false);
        String disabled = newSync(EVERY_MINUTE, false, true);
        String invalid = newSync("{\"type\":\"cron\",\"schedule\":{\"expression\":\"61 * * * *\"}}", false, false);
        String control = newSync(EVERY_MINUTE, false, false);
        awaitScheduleStarted(control);

        TestClock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(control), l -> l.size() == 1);
        assertEquals(0, requestsFor(paused).size());
        assertEquals(0, requestsFor(disabled).size());
        assertEquals(0, requestsFor(invalid).size());
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aStoredScheduleWhoseSlotsOverflowNeverStopsAnotherSyncsSchedule() {
        // written straight to the config topic, past the API's bounds: a year is the longest interval it accepts
        String huge = newSync("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":9000000000000000,"
                + "\"unit\":\"week\"}}}", false, false);
        String ancient = newSync("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":1,\"unit\":\"minute\"},"
                + "\"startDate\":\"-999999999-01-01T00:00:00Z\"}}", false, false);
        String control = newSync(EVERY_MINUTE, false, false);
        awaitScheduleStarted(control);

        TestClock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(control), l -> l.size() == 1);
        TestClock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(15)).until(() -> scheduleTriggers(control).size() == 2);
        assertEquals(0, scheduleTriggers(huge).size());
        assertEquals(0, scheduleTriggers(ancient).size());
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aForgedSpecSayingEnabledDoesNotRunADisabledSync() {
        String sync = newSync(null, false, true);
        awaitKnown(sync);
        // config-service's source and a spec "newer" than any record: the scheduler judges on its own config only
        publisher.sendAndWait(Topics.TRIGGERS, sync, TriggerEvent.newBuilder().setTriggerId("forged-" + sync)
                .setSource("api").setSyncId(sync).setRunId("9301")
                .setSpecJson(spec(sync).replace("\"configVersion\":3", "\"configVersion\":" + Long.MAX_VALUE))
                .setRequestedAt(Instant.now()).build());

        RunEvent cancelled = await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getRunId().equals("9301") && e.getSyncId().equals(sync) && e.getTerminal()), l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.cancelled, cancelled.getStatus());
        assertEquals("SYNC_DISABLED", cancelled.getErrorCode());
        assertEquals(0, requestsFor(sync).size());
    }

    @Test
    void aTriggerPublishedStraightToTheTopicForADisabledSyncEndsCancelledNamingTheReason() {
        String sync = newSync(null, false, true);
        awaitKnown(sync);
        publishExternal(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("external")
                .setSyncId(sync).setRequestedAt(Instant.now()).build(), sync);

        RunEvent cancelled = await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getSyncId().equals(sync) && e.getTerminal()), l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.cancelled, cancelled.getStatus());
        assertEquals("SYNC_DISABLED", cancelled.getErrorCode());
        assertTrue(cancelled.getError().contains("is disabled"), cancelled.getError());
        assertEquals(0, requestsFor(sync).size());
    }

    @Test
    void disablingASyncCancelsTheRunQueuedBehindItsRunInFlight() {
        String sync = newSync(null, false, false);
        awaitKnown(sync);
        publishApiTrigger(sync, "9101");
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1);
        publishApiTrigger(sync, "9102");
        awaitQueued(sync, "9102");

        publishSync(sync, "null", false, true);
        // cancelled while 9101 still runs, not only when it ends
        RunEvent cancelled = await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getRunId().equals("9102") && e.getSyncId().equals(sync) && e.getTerminal()), l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.cancelled, cancelled.getStatus());
        assertTrue(cancelled.getError().contains("is disabled"), cancelled.getError());
        awaitQueued(sync, null);

        publishRunEvent(sync, "9101", RunStatus.success);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> requestsFor(sync).size() == 1);
    }

    @Test
    void eachReleasedRunIsAnnouncedAsStartedByTheScheduler() {
        String sync = newSync(null, false, false);
        awaitKnown(sync);
        publishApiTrigger(sync, "9201");
        RunEvent released = await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getRunId().equals("9201") && e.getSyncId().equals(sync)), l -> !l.isEmpty()).get(0);
        assertEquals(RunStatus.querying, released.getStatus());
        assertEquals("scheduler-service", released.getProducer());
        assertTrue(!released.getTerminal() && released.getStartedAt() != null, released.toString());
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1);
    }

    @Test
    void successfulDbtCloudJobRunsItsSyncsAndAFailedOneSkipsThem() {
        String job = "job-" + UUID.randomUUID();
        String sync = newSync("{\"type\":\"dbt\",\"schedule\":{\"account\":{\"id\":\"70403\"},\"job\":{\"id\":\"" + job + "\"}}}",
                false, false);
        String other = newSync("{\"type\":\"dbt\",\"schedule\":{\"account\":{\"id\":\"70403\"},\"job\":{\"id\":\"other\"}}}",
                false, false);
        awaitKnown(sync);
        publishExternal(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("dbt_cloud")
                .setDbtAccountId("70403").setDbtJobId(job).setDbtRunStatus("Errored").setRequestedAt(Instant.now()).build(), job);
        publishExternal(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("dbt_cloud")
                .setDbtAccountId("70403").setDbtJobId(job).setDbtRunStatus("Success").setRequestedAt(Instant.now()).build(), job);

        RunRequest request = await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1).get(0);
        assertEquals("dbt_cloud", request.getTrigger());
        // the errored run (published first, same partition) triggered nothing; the other job's sync is untouched
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> requestsFor(sync).size() == 1);
        assertEquals(0, requestsFor(other).size());
    }

    @Test
    void successfulFivetranSyncRunsItsSyncsAndAFailedOneSkipsThem() {
        String connector = "conn_" + UUID.randomUUID().toString().replace("-", "");
        String sync = newSync("{\"type\":\"fivetran\",\"schedule\":{\"connectorId\":\"" + connector + "\"}}", false, false);
        awaitKnown(sync);
        publishExternal(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("fivetran")
                .setFivetranConnectorId(connector).setFivetranStatus("FAILURE_WITH_TASK").setRequestedAt(Instant.now()).build(),
                connector);
        publishExternal(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("fivetran")
                .setFivetranConnectorId(connector).setFivetranStatus("SUCCESSFUL").setRequestedAt(Instant.now()).build(),
                connector);

        RunRequest request = await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1).get(0);
        assertEquals("fivetran", request.getTrigger());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> requestsFor(sync).size() == 1);
    }

    @Test
    void runWithoutProgressEndsFailedNamingItsStageTheQueuedRunGoesAndALateEndIsIgnored() {
        String sync = newSync(null, false, false);
        awaitKnown(sync);
        publishApiTrigger(sync, "9001");
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1);
        publishApiTrigger(sync, "9002");
        awaitQueued(sync, "9002");

        TestClock.advance(Duration.ofMinutes(6)); // the test profile's progress deadline is 5 minutes
        RunEvent failed = awaitTerminal(sync, "9001");
        assertEquals(RunStatus.failed, failed.getStatus());
        assertEquals("RUN_PROGRESS_DEADLINE", failed.getErrorCode());
        assertEquals("scheduler-service", failed.getProducer());
        assertTrue(failed.getError().startsWith("no progress for 360 s in stage querying; last event: its release by"
                + " scheduler-service at "), failed.getError());
        // the sync is free: the queued run is released
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync).stream()
                .anyMatch(r -> r.getRunId().equals("9002")));
        awaitInFlight(sync, "9002");

        // the worker of 9001 finishes after all: its late end neither frees 9002's sync nor releases anything
        publishRunEvent(sync, "9001", RunStatus.success);
        publishApiTrigger(sync, "9003");
        awaitQueued(sync, "9003");
        assertEquals(List.of("9001", "9002"), requestsFor(sync).stream().map(RunRequest::getRunId).toList());
        assertEquals(1, runEvents.matching(e -> e.getRunId().equals("9001") && e.getSyncId().equals(sync)
                && e.getTerminal() && "scheduler-service".equals(e.getProducer())).size());
        publishRunEvent(sync, "9002", RunStatus.success);
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync).size() == 3);
    }

    @Test
    void aLongRunThatKeepsReportingProgressIsNotEndedAndOneThatStopsEndsNamingItsLastStage() {
        String sync = newSync(null, false, false);
        awaitKnown(sync);
        publishApiTrigger(sync, "9011");
        await().atMost(Duration.ofSeconds(15)).until(() -> requestsFor(sync), l -> l.size() == 1);
        // 12 minutes of work, a progress event every 3: more than twice the deadline, never quiet for it
        for (int i = 0; i < 4; i++) {
            publishProgress(sync, "9011", i < 2 ? RunStatus.querying : RunStatus.processing,
                    i < 2 ? "extractor-service" : "delivery-service");
            awaitTouched(sync, i < 2 ? "querying" : "processing");
            TestClock.advance(Duration.ofMinutes(3));
        }
        awaitInFlight(sync, "9011");
        assertTrue(runEvents.matching(e -> e.getRunId().equals("9011") && e.getSyncId().equals(sync) && e.getTerminal())
                .isEmpty(), "a run reporting progress is not ended");

        TestClock.advance(Duration.ofMinutes(3)); // 6 minutes since delivery's last progress event
        RunEvent failed = awaitTerminal(sync, "9011");
        assertEquals(RunStatus.failed, failed.getStatus());
        assertEquals("RUN_PROGRESS_DEADLINE", failed.getErrorCode());
        assertTrue(failed.getError().startsWith("no progress for 360 s in stage processing; last event from"
                + " delivery-service at "), failed.getError());
        assertTrue(failed.getError().contains("the run's progress deadline is 300 s"), failed.getError());
        awaitInFlight(sync, null);
    }

    @Test
    void scheduledSequenceFiresOneSequenceTriggerPerSlotAndNoSyncRun() {
        String sequence = "seq-" + UUID.randomUUID();
        publisher.sendAndWait(Topics.CONFIG, "sequence:" + sequence, change("sequence", sequence, "{\"id\":\"" + sequence
                + "\",\"schedule\":" + EVERY_MINUTE + ",\"schedulePaused\":false,\"steps\":[{\"syncId\":\"1\"}]}"));
        awaitScheduleStarted("sequence:" + sequence);

        TestClock.advance(Duration.ofSeconds(60));
        TriggerEvent fired = await().atMost(Duration.ofSeconds(15)).until(() -> sequenceTriggers(sequence), l -> l.size() == 1).get(0);
        assertEquals("schedule", fired.getSource());
        assertEquals(null, fired.getSyncId());
        assertTrue(fired.getTriggerId().startsWith("schedule:sequence:" + sequence + ":"), fired.getTriggerId());
        TestClock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(15)).until(() -> sequenceTriggers(sequence), l -> l.size() == 2);
        // config-service runs sequences: the scheduler itself requests no run for them
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sequenceTriggers(sequence).size() == 2);
        assertTrue(runRequests.matching(r -> r.getSyncId().contains(sequence)).isEmpty());
    }

    @Test
    void sequenceScheduledAfterADbtCloudJobIsTriggeredWhenTheJobSucceeds() {
        String job = "job-" + UUID.randomUUID();
        String sequence = "seq-" + UUID.randomUUID();
        publisher.sendAndWait(Topics.CONFIG, "sequence:" + sequence, change("sequence", sequence, "{\"id\":\"" + sequence
                + "\",\"schedule\":{\"type\":\"dbt\",\"schedule\":{\"account\":{\"id\":\"70403\"},\"job\":{\"id\":\""
                + job + "\"}}},\"schedulePaused\":false,\"steps\":[]}"));
        await().atMost(Duration.ofSeconds(15)).until(() -> catalogKnows("sequence:" + sequence));
        String triggerId = UUID.randomUUID().toString();
        publishExternal(TriggerEvent.newBuilder().setTriggerId(triggerId).setSource("dbt_cloud")
                .setDbtAccountId("70403").setDbtJobId(job).setDbtRunStatus("Success").setRequestedAt(Instant.now()).build(), job);
        TriggerEvent routed = await().atMost(Duration.ofSeconds(15)).until(() -> sequenceTriggers(sequence), l -> l.size() == 1).get(0);
        assertEquals("dbt_cloud", routed.getSource());
        assertEquals(triggerId + ":sequence:" + sequence, routed.getTriggerId());
    }

    private static List<TriggerEvent> scheduleTriggers(String syncId) {
        return triggers.matching(t -> syncId.equals(t.getSyncId()) && "schedule".equals(t.getSource()));
    }

    private static List<TriggerEvent> sequenceTriggers(String sequenceId) {
        return triggers.matching(t -> sequenceId.equals(t.getSequenceId()));
    }

    private static String newSync(String scheduleJson, boolean paused, boolean disabled) {
        String id = "sync-" + UUID.randomUUID();
        publisher.sendAndWait(Topics.CONFIG, "sync-spec:" + id, change("sync-spec", id, spec(id)));
        publishSync(id, scheduleJson, paused, disabled);
        return id;
    }

    private static void publishSync(String id, String scheduleJson, boolean paused, boolean disabled) {
        publisher.sendAndWait(Topics.CONFIG, "sync:" + id, change("sync", id, "{\"id\":\"" + id + "\",\"schedule\":"
                + scheduleJson + ",\"schedulePaused\":" + paused + ",\"disabled\":" + disabled + "}"));
    }

    private static ConfigChange change(String kind, String id, String json) {
        return ConfigChange.newBuilder().setKind(kind).setId(id).setVersion(1).setJson(json).setAt(Instant.now()).build();
    }

    private static String spec(String syncId) {
        return "{\"syncId\":\"" + syncId + "\",\"syncSlug\":\"s\",\"configVersion\":3,"
                + "\"model\":{\"id\":\"m\",\"primaryKey\":\"id\",\"sql\":\"select 1 as id\"},"
                + "\"destination\":{\"id\":\"d\",\"type\":\"webhook\",\"configuration\":{}},\"configuration\":{}}";
    }

    /** The scheduler's config reader has the sync: an API trigger without spec for it gets the spec filled in. */
    private void awaitKnown(String syncId) {
        String probeSync = syncId;
        await().atMost(Duration.ofSeconds(15)).until(() -> catalogKnows(probeSync));
    }

    private static boolean catalogKnows(String syncId) {
        return io.quarkus.arc.Arc.container().instance(dev.eddy.scheduler.service.SyncCatalog.class).get().get(syncId) != null;
    }

    private void awaitScheduleStarted(String syncId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT 1 FROM scheduler.schedule_fires WHERE sync_id = ?")) {
                ps.setString(1, syncId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static RunEvent awaitTerminal(String syncId, String runId) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> runEvents.matching(e ->
                e.getRunId().equals(runId) && e.getSyncId().equals(syncId) && e.getTerminal()), l -> !l.isEmpty()).get(0);
    }

    private void awaitInFlight(String syncId, String runId) {
        awaitColumn(syncId, "in_flight_run_id", runId);
    }

    /** The scheduler read the progress event: the sync's last sign of life is now, with that status. */
    private void awaitTouched(String syncId, String status) {
        Instant now = Instant.now(new TestClock()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT last_status, last_event_at FROM scheduler.sync_state WHERE sync_id = ?")) {
                ps.setString(1, syncId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && status.equals(rs.getString(1)) && rs.getTimestamp(2) != null
                            && !rs.getTimestamp(2).toInstant().isBefore(now);
                }
            }
        });
    }

    private void awaitColumn(String syncId, String column, String value) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM scheduler.sync_state WHERE sync_id = ?")) {
                ps.setString(1, syncId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && java.util.Objects.equals(value, rs.getString(1));
                }
            }
        });
    }

    private static void publishProgress(String syncId, String runId, RunStatus status, String producer) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(status).setTerminal(false)
                .setProducer(producer).setAt(Instant.now()).build());
    }

    private void awaitQueued(String syncId, String runId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT queued_run_id FROM scheduler.sync_state WHERE sync_id = ?")) {
                ps.setString(1, syncId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && java.util.Objects.equals(runId, rs.getString(1));
                }
            }
        });
    }

    private static void publishApiTrigger(String syncId, String runId) {
        publisher.sendAndWait(Topics.TRIGGERS, syncId, TriggerEvent.newBuilder().setTriggerId("t-" + runId + syncId)
                .setSource("api").setSyncId(syncId).setRunId(runId).setSpecJson(spec(syncId))
                .setRequestedAt(Instant.now()).build());
    }

    private static void publishExternal(TriggerEvent trigger, String key) {
        publisher.sendAndWait(Topics.TRIGGERS, key, trigger);
    }

    private static void publishRunEvent(String syncId, String runId, RunStatus status) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(status).setTerminal(true)
                .setProducer("test").setAt(Instant.now()).build());
    }

    private static List<RunRequest> requestsFor(String syncId) {
        return runRequests.matching(r -> r.getSyncId().equals(syncId));
    }
}
