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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scheduler publishes a run request before it commits the run as in flight, so a fast worker can end the
 * run while that commit is still pending. Found by {@code ./eddy bench scheduler}: on a sync's very first run
 * the terminal event did not see the sync's (uncommitted) row, was dropped, and the sync stayed busy, so every
 * later scheduled run was queued, then cancelled.
 */
class RunEndingBeforeItsReleaseCommitsTest {

    private static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");

    private EmbeddedPostgresServer postgres;
    private String database;
    private AgroalDataSource dataSource;
    private AgroalDataSource probe;
    private RecordingPublisher publisher;
    private RunCoordinator coordinator;

    /** Records what the coordinator publishes, and runs a hook right after a run request is "acknowledged". */
    static final class RecordingPublisher extends RunPublisher {
        final List<RunRequest> requests = new CopyOnWriteArrayList<>();
        final List<String> queued = new CopyOnWriteArrayList<>();
        volatile java.util.function.Consumer<RunRequest> afterRunRequest = r -> { };

        RecordingPublisher() {
            super(null);
        }

        @Override
        public void runRequest(RunRequest request) {
            requests.add(request);
            afterRunRequest.accept(request);
        }

        @Override
        public void queued(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
            queued.add(runId);
        }

        @Override
        public void released(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
            // the release announcement is not what this test is about
        }

        @Override
        public void endedBeforeStart(String syncId, String runId, RunStatus status, String error, String errorCode,
                                     boolean fullResync, String trigger, Instant now) {
            throw new AssertionError("no run should end before it starts here: " + status + " " + error);
        }
    }

    private SyncCatalog catalog;

    @BeforeEach
    void start() {
        postgres = SharedInfrastructure.postgres();
        database = "release_race_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        postgres.createDatabase(database);
        dataSource = dataSource(postgres.jdbcUrl(database));
        probe = dataSource(postgres.jdbcUrl(database));
        SyncStateStore store = new SyncStateStore(dataSource);
        store.createSchema();
        publisher = new RecordingPublisher();
        catalog = new SyncCatalog();
        coordinator = new RunCoordinator(store, publisher, Clock.fixed(NOW, ZoneOffset.UTC), catalog);
    }

    @AfterEach
    void stop() {
        dataSource.close();
        probe.close();
    }

    @Test
    void terminalEventOfTheFirstRunArrivingBeforeItsReleaseCommitsFreesTheSync() throws Exception {
        String sync = "race-" + UUID.randomUUID();
        CompletableFuture<Void> downstream = new CompletableFuture<>();
        publisher.afterRunRequest = request -> {
            // the worker ends the run at once, on its own thread, while the release is not committed yet
            CompletableFuture.runAsync(() -> coordinator.onRunEvent(success(request)))
                    .whenComplete((ok, failure) -> {
                        if (failure == null) {
                            downstream.complete(null);
                        } else {
                            downstream.completeExceptionally(failure);
                        }
                    });
            // hold the release open until the terminal event either was handled or waits on the sync's row
            await().atMost(Duration.ofSeconds(30)).until(() -> downstream.isDone() || waitingOnALock() > 0);
        };

        known(sync);
        coordinator.onTrigger(scheduleTrigger(sync, NOW));
        downstream.get(30, TimeUnit.SECONDS);
        publisher.afterRunRequest = r -> { };

        coordinator.onTrigger(scheduleTrigger(sync, NOW.plusSeconds(60)));

        assertEquals(2, publisher.requests.size(), "the next slot's run is released, not queued behind an ended run");
        assertEquals(List.of(), queuedRunIds(sync));
    }

    @Test
    void terminalEventsAfterTheCommitKeepFreeingTheSync() throws SQLException {
        String sync = "race-later-" + UUID.randomUUID();
        known(sync);
        for (int slot = 0; slot < 3; slot++) {
            coordinator.onTrigger(scheduleTrigger(sync, NOW.plusSeconds(60L * slot)));
            coordinator.onRunEvent(success(publisher.requests.get(slot)));
        }

        assertEquals(3, publisher.requests.size());
        assertEquals(List.of(), queuedRunIds(sync));
    }

    @Test
    void terminalEventOfASyncNeverReleasedWritesNothing() throws SQLException {
        String sync = "never-" + UUID.randomUUID();

        coordinator.onRunEvent(RunEvent.newBuilder().setRunId("1").setSyncId(sync).setStatus(RunStatus.success)
                .setTerminal(true).setProducer("test-worker").setAt(NOW).build());

        try (Connection c = probe.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM scheduler.sync_state WHERE sync_id = ?")) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    private int waitingOnALock() throws SQLException {
        try (Connection c = probe.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<String> queuedRunIds(String sync) throws SQLException {
        try (Connection c = probe.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT queued_run_id FROM scheduler.sync_state WHERE sync_id = ? AND queued_run_id IS NOT NULL")) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        }
    }

    /** The sync as the config topic has it: the scheduler runs only syncs it knows, with their spec from there. */
    private void known(String sync) {
        catalog.apply("sync-spec", sync, "{\"syncId\":\"" + sync + "\",\"configVersion\":1,"
                + "\"model\":{\"id\":\"m\",\"primaryKey\":\"id\",\"sql\":\"select 1 as id\"},"
                + "\"destination\":{\"id\":\"d\",\"type\":\"webhook\",\"configuration\":{}},\"configuration\":{}}");
        catalog.apply("sync", sync, "{\"id\":\"" + sync + "\",\"schedule\":null}");
    }

    private static TriggerEvent scheduleTrigger(String sync, Instant slot) {
        return TriggerEvent.newBuilder()
                .setTriggerId("schedule:" + sync + ":" + slot.toEpochMilli())
                .setSource("schedule")
                .setSyncId(sync)
                .setRequestedAt(slot)
                .build();
    }

    private static RunEvent success(RunRequest request) {
        return RunEvent.newBuilder().setRunId(request.getRunId()).setSyncId(request.getSyncId())
                .setStatus(RunStatus.success).setTerminal(true).setProducer("test-worker").setAt(NOW)
                .setFinishedAt(NOW).build();
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
