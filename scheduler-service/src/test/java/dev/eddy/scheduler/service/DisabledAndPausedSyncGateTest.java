package dev.eddy.scheduler.service;

import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.embedded.EmbeddedPostgresServer;
import dev.eddy.scheduler.messaging.RunPublisher;
import dev.eddy.scheduler.store.SyncStateStore;
import dev.eddy.testsupport.SharedInfrastructure;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run gate against a real PostgreSQL, driven step by step (its own catalog, no ticker, no consumers), so each
 * moment a disabled or paused sync can meet a run is hit on purpose: the trigger arriving, the queued run's release,
 * the sync becoming disabled while a run waits in the queue. Also: each release is announced before its request.
 */
class DisabledAndPausedSyncGateTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final long SPEC_VERSION = NOW.minusSeconds(60).toEpochMilli();

    private AgroalDataSource dataSource;
    private RecordingPublisher publisher;
    private SyncCatalog catalog;
    private RunCoordinator coordinator;

    /** What the coordinator publishes, in order. */
    static final class RecordingPublisher extends RunPublisher {
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<RunEvent> ended = new CopyOnWriteArrayList<>();

        RecordingPublisher() {
            super(null);
        }

        @Override
        public void runRequest(RunRequest request) {
            log.add("request " + request.getRunId());
        }

        @Override
        public void queued(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
            log.add("queued " + runId);
        }

        @Override
        public void released(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
            log.add("released " + runId);
        }

        @Override
        public void endedBeforeStart(String syncId, String runId, RunStatus status, String error, String errorCode,
                                     boolean fullResync, String trigger, Instant now) {
            log.add(status + " " + runId);
            ended.add(RunEvent.newBuilder().setRunId(runId).setSyncId(syncId).setStatus(status).setTerminal(true)
                    .setProducer(PRODUCER).setAt(now).setError(error).setErrorCode(errorCode).build());
        }
    }

    @BeforeEach
    void start() {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        String database = "gate_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        postgres.createDatabase(database);
        dataSource = dataSource(postgres.jdbcUrl(database));
        SyncStateStore store = new SyncStateStore(dataSource);
        store.createSchema();
        publisher = new RecordingPublisher();
        catalog = new SyncCatalog();
        coordinator = new RunCoordinator(store, publisher, Clock.fixed(NOW, ZoneOffset.UTC), catalog);
    }

    @AfterEach
    void stop() {
        dataSource.close();
    }

    @Test
    void eachReleaseIsAnnouncedAsStartedBeforeItsRunRequest() {
        String sync = sync(false, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(sync, "11"));
        coordinator.onTrigger(api(sync, "12"));
        coordinator.onRunEvent(terminal(sync, "11"));
        assertEquals(List.of("released 11", "request 11", "released 12", "request 12"), publisher.log);
    }

    @Test
    void aTriggerPublishedStraightToTheTopicForADisabledSyncIsCancelledNamingTheReason() {
        String sync = sync(true, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(TriggerEvent.newBuilder().setTriggerId(UUID.randomUUID().toString()).setSource("external")
                .setSyncId(sync).setRequestedAt(NOW).build());

        assertEquals(1, publisher.ended.size(), publisher.log.toString());
        RunEvent cancelled = publisher.ended.get(0);
        assertEquals(RunStatus.cancelled, cancelled.getStatus());
        assertEquals("SYNC_DISABLED", cancelled.getErrorCode());
        assertTrue(cancelled.getError().contains("sync " + sync + " is disabled"), cancelled.getError());
        assertTrue(publisher.log.stream().noneMatch(l -> l.startsWith("request") || l.startsWith("queued")), publisher.log.toString());
    }

    @Test
    void anApiTriggerOfADisabledSyncIsCancelledWhateverTheSpecItCarries() {
        String sync = sync(true, false, NOW.minusSeconds(30)); // disabled after the spec's version
        coordinator.onTrigger(api(sync, "21"));
        assertEquals(List.of("cancelled 21"), publisher.log);

        // a spec newer than the record proves nothing: anyone who writes the topic can fill one in
        String disabledLongAgo = sync(true, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(disabledLongAgo, "22"));
        assertEquals(List.of("cancelled 21", "cancelled 22"), publisher.log);
    }

    @Test
    void aRunQueuedBeforeTheSyncWasDisabledIsNotReleasedWhenTheRunInFlightEnds() {
        String sync = sync(false, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(sync, "31"));
        coordinator.onTrigger(api(sync, "32"));
        disable(sync);
        coordinator.onRunEvent(terminal(sync, "31"));

        assertEquals(List.of("released 31", "request 31", "cancelled 32"), publisher.log);
        assertTrue(publisher.ended.get(0).getError().contains("disabled"), publisher.ended.get(0).getError());
        // the sync is free again: nothing waits, nothing is in flight
        coordinator.onRunEvent(terminal(sync, "32"));
        assertEquals(3, publisher.log.size(), publisher.log.toString());
    }

    @Test
    void disablingASyncCancelsItsQueuedRunAtOnceAndLeavesTheRunInFlight() {
        String sync = sync(false, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(sync, "41"));
        coordinator.onTrigger(api(sync, "42"));
        catalog.takeHeld();
        disable(sync);
        assertEquals(java.util.Set.of(sync), catalog.takeHeld(), "a sync that became disabled is handed to the ticker");

        coordinator.dropQueuedIfRefused(sync);
        assertEquals(List.of("released 41", "request 41", "cancelled 42"), publisher.log);
        coordinator.dropQueuedIfRefused(sync);
        coordinator.onRunEvent(terminal(sync, "41"));
        assertEquals(3, publisher.log.size(), "nothing more to cancel or release: " + publisher.log);
    }

    @Test
    void aPausedScheduleRefusesScheduledRunsButNotApiTriggers() {
        String sync = sync(false, true, NOW.minusSeconds(3600));
        coordinator.onTrigger(TriggerEvent.newBuilder().setTriggerId("schedule:" + sync + ":1").setSource("schedule")
                .setSyncId(sync).setRequestedAt(NOW).build());
        assertEquals(1, publisher.ended.size(), publisher.log.toString());
        assertEquals("SCHEDULE_PAUSED", publisher.ended.get(0).getErrorCode());
        assertTrue(publisher.ended.get(0).getError().contains("paused"), publisher.ended.get(0).getError());

        coordinator.onTrigger(api(sync, "51"));
        assertTrue(publisher.log.contains("request 51"), publisher.log.toString());
    }

    @Test
    void pausingASyncDropsItsQueuedScheduledRunButKeepsAQueuedApiRun() {
        String scheduled = sync(false, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(scheduled, "61"));
        coordinator.onTrigger(TriggerEvent.newBuilder().setTriggerId("schedule:" + scheduled + ":2").setSource("schedule")
                .setSyncId(scheduled).setRequestedAt(NOW).build());
        String manual = sync(false, false, NOW.minusSeconds(3600));
        coordinator.onTrigger(api(manual, "71"));
        coordinator.onTrigger(api(manual, "72"));
        pause(scheduled);
        pause(manual);

        catalog.takeHeld().forEach(coordinator::dropQueuedIfRefused);
        assertEquals(1, publisher.ended.size(), publisher.log.toString());
        assertEquals(scheduled, publisher.ended.get(0).getSyncId());
        coordinator.onRunEvent(terminal(manual, "71"));
        assertTrue(publisher.log.contains("request 72"), "an API trigger of a paused sync still runs: " + publisher.log);
    }

    // ---- fixtures

    private String sync(boolean disabled, boolean paused, Instant updatedAt) {
        String id = "gate-" + UUID.randomUUID();
        catalog.apply("sync-spec", id, spec(id));
        catalog.apply("sync", id, syncJson(id, disabled, paused, updatedAt));
        return id;
    }

    private void disable(String id) {
        catalog.apply("sync", id, syncJson(id, true, false, NOW.minusSeconds(10)));
    }

    private void pause(String id) {
        catalog.apply("sync", id, syncJson(id, false, true, NOW.minusSeconds(10)));
    }

    private static String syncJson(String id, boolean disabled, boolean paused, Instant updatedAt) {
        return "{\"id\":\"" + id + "\",\"schedule\":{\"type\":\"manual\",\"schedule\":{\"expressions\":[]}},\"disabled\":"
                + disabled + ",\"schedulePaused\":" + paused + ",\"updatedAt\":\"" + updatedAt + "\"}";
    }

    private static String spec(String id) {
        return "{\"syncId\":\"" + id + "\",\"configVersion\":" + SPEC_VERSION + ","
                + "\"model\":{\"id\":\"m\",\"primaryKey\":\"id\",\"sql\":\"select 1 as id\"},"
                + "\"destination\":{\"id\":\"d\",\"type\":\"webhook\",\"configuration\":{}},\"configuration\":{}}";
    }

    /** A trigger as config-service publishes it: run id recorded, spec resolved a minute ago. */
    private static TriggerEvent api(String sync, String runId) {
        return TriggerEvent.newBuilder().setTriggerId("api-" + runId).setSource("api").setSyncId(sync).setRunId(runId)
                .setSpecJson(spec(sync)).setRequestedAt(NOW).build();
    }

    private static RunEvent terminal(String sync, String runId) {
        return RunEvent.newBuilder().setRunId(runId).setSyncId(sync).setStatus(RunStatus.success).setTerminal(true)
                .setProducer("test-worker").setAt(NOW).setFinishedAt(NOW).build();
    }

    private static AgroalDataSource dataSource(String jdbcUrl) {
        try {
            return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(pool -> pool
                    .maxSize(4).connectionFactoryConfiguration(factory -> factory.jdbcUrl(jdbcUrl)
                            .principal(new NamePrincipal("postgres")))));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
